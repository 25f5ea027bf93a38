import { describe, expect, it } from "vitest";
import { registerUser, request } from "../helpers/http.js";
import { useService } from "../helpers/lifecycle.js";
import { projectWithTeam } from "../helpers/projects.js";

const running = useService();

describe("members: add, change role, remove, and the last owner", () => {
  it("adds a member by email; unknown email is 404, an existing member 409", async () => {
    const team = await projectWithTeam(running.url);
    const base = `/api/projects/${team.projectId}/members`;
    const added = await request(running.url, "POST", base, {
      token: team.owner.token,
      body: { email: team.outsider.email.toUpperCase(), role: "editor" },
    });
    expect(added.status).toBe(201);
    expect(added.body.member).toEqual({ userId: team.outsider.user.id, name: "Outsider", role: "editor" });
    const again = await request(running.url, "POST", base, {
      token: team.owner.token,
      body: { email: team.outsider.email, role: "viewer" },
    });
    expect(again.status).toBe(409);
    const unknown = await request(running.url, "POST", base, {
      token: team.owner.token,
      body: { email: "nobody@example.test", role: "viewer" },
    });
    expect(unknown.status).toBe(404);
    for (const body of [{ email: team.outsider.email, role: "admin" }, { email: { $gt: "" }, role: "viewer" }, {}]) {
      expect((await request(running.url, "POST", base, { token: team.owner.token, body })).status).toBe(400);
    }
  });

  it("lets exactly one of concurrent adds of the same member win", async () => {
    const team = await projectWithTeam(running.url);
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        request(running.url, "POST", `/api/projects/${team.projectId}/members`, {
          token: team.owner.token,
          body: { email: team.outsider.email, role: "viewer" },
        }),
      ),
    );
    expect(results.map((result) => result.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    const project = await request(running.url, "GET", `/api/projects/${team.projectId}`, { token: team.owner.token });
    expect(
      project.body.project.members.filter((m: { userId: string }) => m.userId === team.outsider.user.id),
    ).toHaveLength(1);
  });

  it("changes roles, and the change takes effect at once", async () => {
    const team = await projectWithTeam(running.url);
    const base = `/api/projects/${team.projectId}`;
    const demoted = await request(running.url, "PATCH", `${base}/members/${team.editor.user.id}`, {
      token: team.owner.token,
      body: { role: "viewer" },
    });
    expect(demoted.status).toBe(200);
    expect(demoted.body.member).toMatchObject({ userId: team.editor.user.id, role: "viewer" });
    const rename = await request(running.url, "PATCH", base, { token: team.editor.token, body: { name: "nope" } });
    expect(rename.status).toBe(403);
    const missing = await request(running.url, "PATCH", `${base}/members/${team.outsider.user.id}`, {
      token: team.owner.token,
      body: { role: "viewer" },
    });
    expect(missing.status).toBe(404);
    const malformed = await request(running.url, "PATCH", `${base}/members/not-an-id`, {
      token: team.owner.token,
      body: { role: "viewer" },
    });
    expect(malformed.status).toBe(404);
  });

  it("keeps at least one owner: demoting or removing the last owner is 409", async () => {
    const team = await projectWithTeam(running.url);
    const base = `/api/projects/${team.projectId}/members`;
    const demote = await request(running.url, "PATCH", `${base}/${team.owner.user.id}`, {
      token: team.owner.token,
      body: { role: "editor" },
    });
    expect(demote.status).toBe(409);
    const leave = await request(running.url, "DELETE", `${base}/${team.owner.user.id}`, { token: team.owner.token });
    expect(leave.status).toBe(409);

    // With a second owner, the first may step down.
    await request(running.url, "PATCH", `${base}/${team.editor.user.id}`, {
      token: team.owner.token,
      body: { role: "owner" },
    });
    expect(
      (
        await request(running.url, "PATCH", `${base}/${team.owner.user.id}`, {
          token: team.owner.token,
          body: { role: "viewer" },
        })
      ).status,
    ).toBe(200);
  });

  it("lets two owners demote each other concurrently without losing the last owner", async () => {
    const team = await projectWithTeam(running.url);
    const base = `/api/projects/${team.projectId}/members`;
    await request(running.url, "PATCH", `${base}/${team.editor.user.id}`, {
      token: team.owner.token,
      body: { role: "owner" },
    });
    const [first, second] = await Promise.all([
      request(running.url, "PATCH", `${base}/${team.editor.user.id}`, {
        token: team.owner.token,
        body: { role: "viewer" },
      }),
      request(running.url, "PATCH", `${base}/${team.owner.user.id}`, {
        token: team.editor.token,
        body: { role: "viewer" },
      }),
    ]);
    const statuses = [first.status, second.status];
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    for (const status of statuses) expect([200, 403, 409]).toContain(status);
    const project = await request(running.url, "GET", `/api/projects/${team.projectId}`, { token: team.viewer.token });
    const owners = project.body.project.members.filter((member: { role: string }) => member.role === "owner");
    expect(owners).toHaveLength(1);
  });

  it("lets any member leave, and only owners remove others", async () => {
    const team = await projectWithTeam(running.url);
    const base = `/api/projects/${team.projectId}`;
    expect(
      (await request(running.url, "DELETE", `${base}/members/${team.editor.user.id}`, { token: team.viewer.token }))
        .status,
    ).toBe(403);
    expect(
      (await request(running.url, "DELETE", `${base}/members/${team.viewer.user.id}`, { token: team.viewer.token }))
        .status,
    ).toBe(204);
    expect((await request(running.url, "GET", base, { token: team.viewer.token })).status).toBe(404);
    expect(
      (await request(running.url, "DELETE", `${base}/members/${team.editor.user.id}`, { token: team.owner.token }))
        .status,
    ).toBe(204);
    expect(
      (await request(running.url, "DELETE", `${base}/members/${team.editor.user.id}`, { token: team.owner.token }))
        .status,
    ).toBe(404);
    const stranger = await registerUser(running.url, "Stranger");
    expect(
      (await request(running.url, "DELETE", `${base}/members/${stranger.user.id}`, { token: stranger.token })).status,
    ).toBe(404);
  });
});
