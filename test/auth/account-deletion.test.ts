import { describe, expect, it } from "vitest";
import { request } from "../helpers/http.js";
import { useService } from "../helpers/lifecycle.js";
import { createProject, projectWithTeam } from "../helpers/projects.js";
import { connectNotifications, connectProjects, disconnected, openProject } from "../helpers/sockets.js";

const running = useService();
const password = "correct horse battery";

describe("DELETE /api/me", () => {
  it("needs the password", async () => {
    const team = await projectWithTeam(running.url);
    const missing = await request(running.url, "DELETE", "/api/me", { token: team.editor.token, body: {} });
    expect(missing.status).toBe(400);
    const wrong = await request(running.url, "DELETE", "/api/me", {
      token: team.editor.token,
      body: { password: "not the password" },
    });
    expect(wrong.status).toBe(401);
    expect((await request(running.url, "GET", "/api/me", { token: team.editor.token })).status).toBe(200);
  });

  it("is refused while the user is the only owner of a project, naming those projects", async () => {
    const team = await projectWithTeam(running.url);
    const refused = await request(running.url, "DELETE", "/api/me", { token: team.owner.token, body: { password } });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({
      code: "CONFLICT",
      projects: [{ id: team.projectId, name: "Team project" }],
    });
    expect((await request(running.url, "GET", "/api/me", { token: team.owner.token })).status).toBe(200);
  });

  it("leaves every project, disconnects every socket of the user, and the token stops working", async () => {
    const team = await projectWithTeam(running.url);
    const own = await createProject(running.url, team.owner.token, "Co-owned");
    await request(running.url, "POST", `/api/projects/${own}/members`, {
      token: team.owner.token,
      body: { email: team.editor.email, role: "owner" },
    });
    const editing = await connectProjects(running.url, team.editor.token);
    await openProject(editing, team.projectId);
    const notified = await connectNotifications(running.url, team.editor.token);
    const gone = [disconnected(editing), disconnected(notified)];

    const deleted = await request(running.url, "DELETE", "/api/me", { token: team.editor.token, body: { password } });
    expect(deleted.status).toBe(204);
    expect(await Promise.all(gone)).toEqual(["io server disconnect", "io server disconnect"]);
    for (const projectId of [team.projectId, own]) {
      const project = await request(running.url, "GET", `/api/projects/${projectId}`, { token: team.owner.token });
      expect(project.body.project.members.map((member: { userId: string }) => member.userId)).not.toContain(
        team.editor.user.id,
      );
    }
    expect((await request(running.url, "GET", "/api/me", { token: team.editor.token })).status).toBe(401);
    const login = await request(running.url, "POST", "/api/auth/login", {
      body: { email: team.editor.email, password },
    });
    expect(login.status).toBe(401);
  });

  it("an account deleted behind the service's back cannot open a project on a live socket", async () => {
    const team = await projectWithTeam(running.url);
    const socket = await connectProjects(running.url, team.editor.token);
    const db = running.service.database.connection.db!;
    const { ObjectId } = await import("mongodb");
    await db.collection("users").deleteOne({ _id: new ObjectId(team.editor.user.id) });
    const closed = disconnected(socket);
    expect(await openProject(socket, team.projectId)).toMatchObject({ ok: false, error: { code: "UNAUTHORIZED" } });
    expect(await closed).toBe("io server disconnect");
  });
});
