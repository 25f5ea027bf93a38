import { describe, expect, it } from "vitest";
import { request } from "../helpers/http.js";
import { useService } from "../helpers/lifecycle.js";
import { projectWithTeam } from "../helpers/projects.js";
import { closeProject, connectProjects, openProject } from "../helpers/sockets.js";

// The default is 200; three keep the test small, the rule is the same.
const running = useService({ MAX_SOCKETS_PER_PROJECT: "3" });

describe("room capacity", () => {
  it("refuses a socket past MAX_SOCKETS_PER_PROJECT with ROOM_FULL, never one already in, and counts sockets", async () => {
    const team = await projectWithTeam(running.url);
    const sockets = await Promise.all(
      [team.owner, team.editor, team.editor, team.viewer].map((member) => connectProjects(running.url, member.token)),
    );
    const answers = await Promise.all(sockets.map((socket) => openProject(socket, team.projectId)));
    const refused = answers.filter((answer) => !answer.ok);
    expect(refused).toEqual([{ ok: false, error: { code: "ROOM_FULL", message: expect.any(String) } }]);
    const inside = sockets.filter((_socket, index) => answers[index]?.ok);
    const outside = sockets[answers.findIndex((answer) => !answer.ok)];
    expect((await openProject(inside[0] as never, team.projectId)).ok).toBe(true); // re-opening is no new socket

    const asOwner = await request(running.url, "GET", `/api/projects/${team.projectId}/presence`, {
      token: team.owner.token,
    });
    expect(asOwner.body.sockets).toBe(3);
    const tabs = Object.fromEntries(
      asOwner.body.online.map((user: { name: string; tabs: number }) => [user.name, user.tabs]),
    );
    expect(Object.values(tabs).reduce((sum: number, count) => sum + (count as number), 0)).toBe(3);
    const asViewer = await request(running.url, "GET", `/api/projects/${team.projectId}/presence`, {
      token: team.viewer.token,
    });
    expect(asViewer.body.sockets).toBe(3);
    expect(asViewer.body.online.every((user: object) => !("tabs" in user))).toBe(true);

    // One leaves: there is room again.
    expect((await closeProject(inside[0] as never, team.projectId)).ok).toBe(true);
    expect((await openProject(outside as never, team.projectId)).ok).toBe(true);
  });
});

describe("room capacity at the default", () => {
  const defaults = useService();

  it("admits 200 sockets into one project and refuses the 201st with ROOM_FULL", async () => {
    const team = await projectWithTeam(defaults.url);
    const members = [team.owner, team.editor, team.viewer];
    const sockets = [];
    for (let i = 0; i < 201; i++) {
      sockets.push(await connectProjects(defaults.url, (members[i % members.length] as { token: string }).token));
    }
    const admitted = await Promise.all(sockets.slice(0, 200).map((socket) => openProject(socket, team.projectId)));
    expect(admitted.every((answer) => answer.ok)).toBe(true);
    expect(await openProject(sockets[200] as never, team.projectId)).toMatchObject({
      ok: false,
      error: { code: "ROOM_FULL" },
    });
  }, 60_000);
});
