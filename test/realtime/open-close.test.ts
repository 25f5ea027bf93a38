import { describe, expect, it } from "vitest";
import { registerUser, request } from "../helpers/http.js";
import { useService } from "../helpers/lifecycle.js";
import { projectWithTeam } from "../helpers/projects.js";
import { closeProject, connectProjects, nextEvent, openProject, record, roundTrip } from "../helpers/sockets.js";

const running = useService();

describe("project:open and project:close", () => {
  it("opens a project for a member with its role and who is online", async () => {
    const team = await projectWithTeam(running.url);
    const socket = await connectProjects(running.url, team.editor.token);
    const presence = nextEvent(socket, "presence");
    const opened = await openProject(socket, team.projectId);
    expect(opened).toEqual({
      ok: true,
      project: { id: team.projectId, name: "Team project" },
      role: "editor",
      readOnly: false,
      online: [{ userId: team.editor.user.id, name: "Editor" }],
    });
    expect(await presence).toEqual({
      projectId: team.projectId,
      online: [{ userId: team.editor.user.id, name: "Editor" }],
    });
  });

  it("answers a non-member, an unknown project and a malformed id with the same NOT_FOUND", async () => {
    const team = await projectWithTeam(running.url);
    const socket = await connectProjects(running.url, team.outsider.token);
    for (const id of [team.projectId, "0123456789abcdef01234567", "not-an-id", "", team.projectId.toUpperCase()]) {
      const response = await openProject(socket, id);
      expect(response).toEqual({ ok: false, error: { code: "NOT_FOUND", message: "project not found" } });
    }
  });

  it("answers a payload that is not a string, or is oversized, with VALIDATION", async () => {
    const { token } = await registerUser(running.url, "Validator");
    const socket = await connectProjects(running.url, token);
    for (const payload of [42, null, { $gt: "" }, ["x"], true, "x".repeat(10_000)]) {
      const response = await openProject(socket, payload);
      expect(response.ok).toBe(false);
      if (!response.ok) expect(response.error.code).toBe("VALIDATION");
    }
  });

  it("leaves the socket's rooms as they were when an open fails", async () => {
    const team = await projectWithTeam(running.url);
    const other = await request(running.url, "POST", "/api/projects", {
      token: team.outsider.token,
      body: { name: "Not yours" },
    });
    const socket = await connectProjects(running.url, team.editor.token);
    expect((await openProject(socket, team.projectId)).ok).toBe(true);
    expect((await openProject(socket, other.body.project.id)).ok).toBe(false);

    const presence = nextEvent<{ online: unknown[] }>(socket, "presence", (payload) => payload.online.length === 2);
    const viewer = await connectProjects(running.url, team.viewer.token);
    await openProject(viewer, team.projectId);
    expect((await presence).online).toHaveLength(2);
  });

  it("is idempotent when the open project is opened again", async () => {
    const team = await projectWithTeam(running.url);
    const socket = await connectProjects(running.url, team.owner.token);
    await openProject(socket, team.projectId);
    const observer = await connectProjects(running.url, team.viewer.token);
    await openProject(observer, team.projectId);
    const seen = record(observer, "presence");
    const again = await openProject(socket, team.projectId);
    expect(again).toMatchObject({ ok: true, role: "owner" });
    await roundTrip(observer);
    expect(seen).toEqual([]);
  });

  it("closes: the socket leaves the room and the others see it go", async () => {
    const team = await projectWithTeam(running.url);
    const owner = await connectProjects(running.url, team.owner.token);
    const viewer = await connectProjects(running.url, team.viewer.token);
    await openProject(owner, team.projectId);
    await openProject(viewer, team.projectId);
    const departure = nextEvent<{ online: Array<{ userId: string }> }>(owner, "presence", (p) => p.online.length === 1);
    expect(await closeProject(viewer, team.projectId)).toEqual({ ok: true });
    expect((await departure).online.map((user) => user.userId)).toEqual([team.owner.user.id]);
    expect(await closeProject(viewer, team.projectId)).toEqual({ ok: true });
    expect((await closeProject(viewer, 12 as never)).ok).toBe(false);
  });
});
