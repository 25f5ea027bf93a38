import { describe, expect, it } from "vitest";
import { request } from "../helpers/http.js";
import { useService } from "../helpers/lifecycle.js";
import { projectWithTeam } from "../helpers/projects.js";
import { connectProjects, nextEvent, openProject, record, roundTrip } from "../helpers/sockets.js";

const running = useService();

type Presence = { projectId: string; online: Array<{ userId: string; name: string }> };

describe("presence", () => {
  it("shows a user with two tabs once, and offline only when the last tab leaves", async () => {
    const team = await projectWithTeam(running.url);
    const observer = await connectProjects(running.url, team.owner.token);
    await openProject(observer, team.projectId);
    const tabOne = await connectProjects(running.url, team.editor.token);
    const tabTwo = await connectProjects(running.url, team.editor.token);
    await openProject(tabOne, team.projectId);
    const opened = await openProject(tabTwo, team.projectId);
    expect(opened.ok && opened.online.map((user) => user.name)).toEqual(["Editor", "Owner"]);

    const seen = record<Presence>(observer, "presence");
    tabOne.close();
    await roundTrip(observer);
    // Give the server's disconnect handling a round trip of its own before asserting it sent nothing.
    await roundTrip(tabTwo);
    await roundTrip(observer);
    expect(seen.filter((payload) => payload.online.length < 2)).toEqual([]);

    const offline = nextEvent<Presence>(observer, "presence", (payload) => payload.online.length === 1);
    tabTwo.close();
    expect((await offline).online).toEqual([{ userId: team.owner.user.id, name: "Owner" }]);
  });

  it("never sends presence to members of other projects or to non-members", async () => {
    const team = await projectWithTeam(running.url);
    const elsewhere = await request(running.url, "POST", "/api/projects", {
      token: team.outsider.token,
      body: { name: "Else" },
    });
    const outsider = await connectProjects(running.url, team.outsider.token);
    await openProject(outsider, elsewhere.body.project.id);
    const idle = await connectProjects(running.url, team.viewer.token);
    const outsiderSeen = record<Presence>(outsider, "presence");
    const idleSeen = record<Presence>(idle, "presence");

    const editor = await connectProjects(running.url, team.editor.token);
    await openProject(editor, team.projectId);
    editor.close();
    await roundTrip(outsider);
    await roundTrip(idle);
    expect(outsiderSeen.filter((payload) => payload.projectId === team.projectId)).toEqual([]);
    expect(idleSeen).toEqual([]);
  });

  it("answers GET /api/projects/:id/presence for members only", async () => {
    const team = await projectWithTeam(running.url);
    const editor = await connectProjects(running.url, team.editor.token);
    await openProject(editor, team.projectId);
    const forMember = await request(running.url, "GET", `/api/projects/${team.projectId}/presence`, {
      token: team.viewer.token,
    });
    expect(forMember.status).toBe(200);
    expect(forMember.body).toEqual({ online: [{ userId: team.editor.user.id, name: "Editor" }], sockets: 1 });
    const forOutsider = await request(running.url, "GET", `/api/projects/${team.projectId}/presence`, {
      token: team.outsider.token,
    });
    expect(forOutsider.status).toBe(404);
    expect((await request(running.url, "GET", `/api/projects/${team.projectId}/presence`)).status).toBe(401);
  });
});
