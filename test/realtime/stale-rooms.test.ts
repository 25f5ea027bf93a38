import { describe, expect, it } from "vitest";
import { request } from "../helpers/http.js";
import { useService } from "../helpers/lifecycle.js";
import { createProject, projectWithTeam } from "../helpers/projects.js";
import { connectProjects, nextEvent, openProject, record, roundTrip } from "../helpers/sockets.js";

const running = useService();

type Presence = { projectId: string; online: Array<{ userId: string }> };

describe("stale rooms: a socket has at most one project open", () => {
  it("leaves A when opening B; A's members see the departure, B's the arrival", async () => {
    const team = await projectWithTeam(running.url);
    const projectB = await createProject(running.url, team.owner.token, "B");
    await request(running.url, "POST", `/api/projects/${projectB}/members`, {
      token: team.owner.token,
      body: { email: team.editor.email, role: "editor" },
    });

    const editor = await connectProjects(running.url, team.editor.token);
    const viewerInA = await connectProjects(running.url, team.viewer.token);
    const ownerInB = await connectProjects(running.url, team.owner.token);
    await openProject(viewerInA, team.projectId);
    await openProject(ownerInB, projectB);
    await openProject(editor, team.projectId);

    const departureInA = nextEvent<Presence>(viewerInA, "presence", (p) => p.online.length === 1);
    const arrivalInB = nextEvent<Presence>(ownerInB, "presence", (p) => p.online.length === 2);
    const editorSeen = record<Presence>(editor, "presence");
    const opened = await openProject(editor, projectB);
    expect(opened.ok).toBe(true);
    expect((await departureInA).online.map((user) => user.userId)).toEqual([team.viewer.user.id]);
    expect((await arrivalInB).projectId).toBe(projectB);

    // Presence in A no longer reaches the editor: it left A's room.
    const lateJoiner = await connectProjects(running.url, team.owner.token);
    await openProject(lateJoiner, team.projectId);
    await roundTrip(editor);
    expect(editorSeen.every((payload) => payload.projectId === projectB)).toBe(true);
  });

  it("applies opens in the order a socket sent them", async () => {
    const team = await projectWithTeam(running.url);
    const projectB = await createProject(running.url, team.owner.token, "B");
    const socket = await connectProjects(running.url, team.owner.token);
    const [first, last] = await Promise.all([openProject(socket, team.projectId), openProject(socket, projectB)]);
    expect(first.ok && last.ok).toBe(true);
    const presence = await request(running.url, "GET", `/api/projects/${team.projectId}/presence`, {
      token: team.owner.token,
    });
    expect(presence.body.online).toEqual([]);
    const presenceB = await request(running.url, "GET", `/api/projects/${projectB}/presence`, {
      token: team.owner.token,
    });
    expect(presenceB.body.online.map((user: { userId: string }) => user.userId)).toEqual([team.owner.user.id]);
  });
});
