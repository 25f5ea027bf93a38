import { describe, expect, it } from "vitest";
import { request } from "../helpers/http.js";
import { useService } from "../helpers/lifecycle.js";
import { projectWithTeam } from "../helpers/projects.js";
import { connectProjects, nextEvent, openProject, record, roundTrip } from "../helpers/sockets.js";

const running = useService();

type Presence = { projectId: string; online: Array<{ userId: string }> };

describe("live revocation", () => {
  it("evicts a removed member's sockets at once; the others see the new presence", async () => {
    const team = await projectWithTeam(running.url);
    const owner = await connectProjects(running.url, team.owner.token);
    const editorTabs = [
      await connectProjects(running.url, team.editor.token),
      await connectProjects(running.url, team.editor.token),
    ];
    await openProject(owner, team.projectId);
    for (const tab of editorTabs) await openProject(tab, team.projectId);

    const revoked = editorTabs.map((tab) => nextEvent(tab, "project:access-revoked"));
    const presence = nextEvent<Presence>(owner, "presence", (payload) => payload.online.length === 1);
    const removed = await request(
      running.url,
      "DELETE",
      `/api/projects/${team.projectId}/members/${team.editor.user.id}`,
      {
        token: team.owner.token,
      },
    );
    expect(removed.status).toBe(204);
    for (const event of await Promise.all(revoked)) expect(event).toEqual({ projectId: team.projectId });
    expect((await presence).online.map((user) => user.userId)).toEqual([team.owner.user.id]);

    // The evicted sockets hear nothing more from the room, and cannot open it again.
    const editorSeen = record<Presence>(editorTabs[0]!, "presence");
    const viewer = await connectProjects(running.url, team.viewer.token);
    await openProject(viewer, team.projectId);
    await roundTrip(editorTabs[0]!);
    expect(editorSeen).toEqual([]);
    expect(await openProject(editorTabs[0]!, team.projectId)).toMatchObject({
      ok: false,
      error: { code: "NOT_FOUND" },
    });
    expect(editorTabs[0]!.connected).toBe(true);
  });

  it("empties the room when the project is deleted", async () => {
    const team = await projectWithTeam(running.url);
    const sockets = await Promise.all(
      [team.owner, team.editor, team.viewer].map((member) => connectProjects(running.url, member.token)),
    );
    for (const socket of sockets) await openProject(socket, team.projectId);
    const revoked = sockets.map((socket) => nextEvent(socket, "project:access-revoked"));
    expect(
      (await request(running.url, "DELETE", `/api/projects/${team.projectId}`, { token: team.owner.token })).status,
    ).toBe(204);
    await Promise.all(revoked);
    for (const socket of sockets) expect(await openProject(socket, team.projectId)).toMatchObject({ ok: false });
  });

  it("leaves other projects' rooms alone when a member is removed from one", async () => {
    const team = await projectWithTeam(running.url);
    const other = await projectWithTeam(running.url);
    await request(running.url, "POST", `/api/projects/${other.projectId}/members`, {
      token: other.owner.token,
      body: { email: team.editor.email, role: "editor" },
    });
    const editor = await connectProjects(running.url, team.editor.token);
    await openProject(editor, other.projectId);
    const revocations = record(editor, "project:access-revoked");
    await request(running.url, "DELETE", `/api/projects/${team.projectId}/members/${team.editor.user.id}`, {
      token: team.owner.token,
    });
    await roundTrip(editor);
    expect(revocations).toEqual([]);
    const presence = await request(running.url, "GET", `/api/projects/${other.projectId}/presence`, {
      token: other.owner.token,
    });
    expect(presence.body.online.map((user: { userId: string }) => user.userId)).toEqual([team.editor.user.id]);
  });
});
