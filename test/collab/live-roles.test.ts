import { describe, expect, it } from "vitest";
import { provider } from "../helpers/collab.js";
import { request } from "../helpers/http.js";
import { useService } from "../helpers/lifecycle.js";
import { projectWithTeam } from "../helpers/projects.js";

const running = useService();

describe("the provider's role, live", () => {
  it("reports a demotion and a promotion while the project is open, and empties presence when it closes", async () => {
    const team = await projectWithTeam(running.url);
    const editor = provider(running.url, team.editor.token, team.projectId);
    await editor.whenSynced();
    expect([editor.role, editor.readOnly]).toEqual(["editor", false]);

    const changes: Array<[string, boolean]> = [];
    editor.on("role", (role, readOnly) => changes.push([role, readOnly]));
    const changeRole = (role: string) =>
      request(running.url, "PATCH", `/api/projects/${team.projectId}/members/${team.editor.user.id}`, {
        token: team.owner.token,
        body: { role },
      });
    const demoted = new Promise<void>((resolve) => editor.once("role", () => resolve()));
    expect((await changeRole("viewer")).status).toBe(200);
    await demoted;
    expect([editor.role, editor.readOnly]).toEqual(["viewer", true]);
    const promoted = new Promise<void>((resolve) => editor.once("role", () => resolve()));
    expect((await changeRole("owner")).status).toBe(200);
    await promoted;
    expect(changes).toEqual([
      ["viewer", true],
      ["owner", false],
    ]);

    expect(editor.online.length).toBeGreaterThan(0);
    const emptied = new Promise<unknown[]>((resolve) => editor.on("presence", (online) => resolve(online)));
    editor.disconnect();
    expect(await emptied).toEqual([]);
    expect(editor.online).toEqual([]);
  });
});
