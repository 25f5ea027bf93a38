import { describe, expect, it } from "vitest";
import { provider, whenStored } from "../helpers/collab.js";
import { useService } from "../helpers/lifecycle.js";
import { projectWithTeam } from "../helpers/projects.js";

const running = useService();

function download(projectId: string, token: string, etag?: string) {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (etag) headers["if-none-match"] = etag;
  return fetch(`${running.url}/api/projects/${projectId}/document`, { headers });
}

describe("GET /api/projects/:id/document", () => {
  it("tags the state: 304 while it is unchanged, a new tag after a change", async () => {
    const team = await projectWithTeam(running.url);
    const editor = provider(running.url, team.editor.token, team.projectId);
    await editor.whenSynced();
    editor.doc.getText("body").insert(0, "hello");
    await whenStored(editor);

    const first = await download(team.projectId, team.viewer.token);
    expect(first.status).toBe(200);
    const tag = first.headers.get("etag") as string;
    expect(tag).toMatch(/^"[\w-]+"$/);
    expect(first.headers.get("cache-control")).toBe("private, no-cache");
    await first.arrayBuffer();

    const again = await download(team.projectId, team.viewer.token, tag);
    expect(again.status).toBe(304);
    expect((await again.arrayBuffer()).byteLength).toBe(0);

    editor.doc.getText("body").delete(0, 1);
    await whenStored(editor);
    const changed = await download(team.projectId, team.viewer.token, tag);
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).not.toBe(tag);
  });

  it("limits how often one user downloads", async () => {
    const team = await projectWithTeam(running.url);
    const statuses: number[] = [];
    for (let i = 0; i < 61; i++) {
      const response = await download(team.projectId, team.viewer.token);
      statuses.push(response.status);
      await response.arrayBuffer();
    }
    expect(statuses.slice(0, 60).every((status) => status === 200)).toBe(true);
    expect(statuses[60]).toBe(429);
    // Another user has a budget of their own.
    expect((await download(team.projectId, team.editor.token)).status).toBe(200);
  });
});
