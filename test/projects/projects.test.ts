import { describe, expect, it } from "vitest";
import { registerUser, request } from "../helpers/http.js";
import { useService } from "../helpers/lifecycle.js";

const running = useService();

describe("projects: create, list, read, rename, delete", () => {
  it("creates a project with the caller as owner and shows its members", async () => {
    const ada = await registerUser(running.url, "Ada");
    const created = await request(running.url, "POST", "/api/projects", {
      token: ada.token,
      body: { name: "  Notes " },
    });
    expect(created.status).toBe(201);
    expect(created.body.project).toMatchObject({ name: "Notes", role: "owner" });
    const read = await request(running.url, "GET", `/api/projects/${created.body.project.id}`, { token: ada.token });
    expect(read.status).toBe(200);
    expect(read.body.project.members).toEqual([{ userId: ada.user.id, name: "Ada", role: "owner" }]);
  });

  it("lists the caller's projects newest first with the caller's role, page by page", async () => {
    const owner = await registerUser(running.url, "Lister");
    const other = await registerUser(running.url, "Other");
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const created = await request(running.url, "POST", "/api/projects", {
        token: owner.token,
        body: { name: `P${i}` },
      });
      ids.push(created.body.project.id);
    }
    await request(running.url, "POST", "/api/projects", { token: other.token, body: { name: "not mine" } });
    await request(running.url, "POST", `/api/projects/${ids[0]}/members`, {
      token: owner.token,
      body: { email: other.email, role: "viewer" },
    });

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : "?limit=2";
      const page = await request(running.url, "GET", `/api/projects${query}`, { token: owner.token });
      expect(page.status).toBe(200);
      expect(page.body.projects.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.projects.map((project: { id: string }) => project.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());

    const others = await request(running.url, "GET", "/api/projects", { token: other.token });
    expect(others.body.projects.map((project: { name: string; role: string }) => [project.name, project.role])).toEqual(
      [
        ["not mine", "owner"],
        ["P0", "viewer"],
      ],
    );
  });

  it("validates list parameters", async () => {
    const user = await registerUser(running.url, "Params");
    for (const query of ["?limit=0", "?limit=1000", "?limit=abc", "?cursor=garbage", "?cursor=bm90LmEuY3Vyc29y"]) {
      const response = await request(running.url, "GET", `/api/projects${query}`, { token: user.token });
      expect(response.status, query).toBe(400);
      expect(response.body.error.code).toBe("VALIDATION");
    }
  });

  it("renames and deletes", async () => {
    const user = await registerUser(running.url, "Renamer");
    const created = await request(running.url, "POST", "/api/projects", { token: user.token, body: { name: "Old" } });
    const id = created.body.project.id;
    const renamed = await request(running.url, "PATCH", `/api/projects/${id}`, {
      token: user.token,
      body: { name: "New" },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.project.name).toBe("New");
    expect((await request(running.url, "DELETE", `/api/projects/${id}`, { token: user.token })).status).toBe(204);
    expect((await request(running.url, "GET", `/api/projects/${id}`, { token: user.token })).status).toBe(404);
  });

  it("rejects bad bodies and requires a token", async () => {
    const user = await registerUser(running.url, "Bodies");
    for (const body of [{}, { name: "" }, { name: { $gt: "" } }, { name: "x".repeat(201) }, "[1]"]) {
      const response = await request(running.url, "POST", "/api/projects", { token: user.token, body });
      expect(response.status, JSON.stringify(body)).toBe(400);
    }
    expect((await request(running.url, "GET", "/api/projects")).status).toBe(401);
    expect((await request(running.url, "POST", "/api/projects", { body: { name: "x" } })).status).toBe(401);
  });

  it("answers non-members, unknown and malformed ids with the same 404", async () => {
    const owner = await registerUser(running.url, "Secretive");
    const stranger = await registerUser(running.url, "Stranger");
    const created = await request(running.url, "POST", "/api/projects", {
      token: owner.token,
      body: { name: "Secret" },
    });
    const id = created.body.project.id;
    const responses = await Promise.all([
      request(running.url, "GET", `/api/projects/${id}`, { token: stranger.token }),
      request(running.url, "GET", "/api/projects/0123456789abcdef01234567", { token: stranger.token }),
      request(running.url, "GET", "/api/projects/not-an-id", { token: stranger.token }),
      request(running.url, "GET", "/api/projects/%7B%22%24gt%22%3A%22%22%7D", { token: stranger.token }),
      request(running.url, "PATCH", `/api/projects/${id}`, { token: stranger.token, body: { name: "x" } }),
      request(running.url, "DELETE", `/api/projects/${id}`, { token: stranger.token }),
      request(running.url, "POST", `/api/projects/${id}/members`, {
        token: stranger.token,
        body: { email: stranger.email, role: "owner" },
      }),
    ]);
    for (const response of responses) {
      expect(response.status).toBe(404);
      expect(response.body).toEqual({ error: { code: "NOT_FOUND", message: "project not found" } });
    }
  });
});
