import { describe, expect, it } from "vitest";
import { request } from "../helpers/http.js";
import { useService } from "../helpers/lifecycle.js";
import { projectWithTeam } from "../helpers/projects.js";
import { connectProjects, nextEvent, openProject, type ProjectsClient, record, roundTrip } from "../helpers/sockets.js";

const running = useService();

type Presence = { projectId: string; online: Array<{ userId: string; name: string }> };

describe("presence storms", () => {
  it("tells the room once when a user opens many tabs, and once when the last one leaves", async () => {
    const team = await projectWithTeam(running.url);
    const observer = await connectProjects(running.url, team.owner.token);
    await openProject(observer, team.projectId);
    const seen = record<Presence>(observer, "presence");

    const tabs: ProjectsClient[] = [];
    for (let i = 0; i < 25; i++) {
      const tab = await connectProjects(running.url, team.editor.token);
      expect(await openProject(tab, team.projectId)).toMatchObject({ ok: true });
      tabs.push(tab);
    }
    await roundTrip(observer);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.online.map((user) => user.name)).toEqual(["Editor", "Owner"]);

    for (const tab of tabs.slice(1)) tab.close();
    await roundTrip(tabs[0] as ProjectsClient);
    await roundTrip(observer);
    expect(seen).toHaveLength(1);

    const departed = nextEvent<Presence>(observer, "presence");
    tabs[0]?.close();
    expect((await departed).online.map((user) => user.name)).toEqual(["Owner"]);
  });

  it("lets many sockets open one project at once", async () => {
    const team = await projectWithTeam(running.url);
    const sockets = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        connectProjects(running.url, [team.owner, team.editor, team.viewer][i % 3]!.token),
      ),
    );
    const opened = await Promise.all(sockets.map((socket) => openProject(socket, team.projectId)));
    expect(opened.every((response) => response.ok)).toBe(true);
    const presence = await request(running.url, "GET", `/api/projects/${team.projectId}/presence`, {
      token: team.viewer.token,
    });
    expect(presence.body.online).toHaveLength(3);
  }, 30_000);
});
