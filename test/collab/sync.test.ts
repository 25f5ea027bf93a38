import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { provider, until, whenStored } from "../helpers/collab.js";
import { request } from "../helpers/http.js";
import { useService } from "../helpers/lifecycle.js";
import { projectWithTeam } from "../helpers/projects.js";

const running = useService();

describe("Yjs sync through project rooms", () => {
  it("keeps editors' documents in sync and stores the result", async () => {
    const team = await projectWithTeam(running.url);
    const owner = provider(running.url, team.owner.token, team.projectId);
    const editor = provider(running.url, team.editor.token, team.projectId);
    await Promise.all([owner.whenSynced(), editor.whenSynced()]);
    expect(owner.role).toBe("owner");

    owner.doc.getText("body").insert(0, "Hello");
    await until(editor.doc, () => editor.doc.getText("body").toString() === "Hello");
    editor.doc.getText("body").insert(5, ", world");
    await until(owner.doc, () => owner.doc.getText("body").toString() === "Hello, world");
    await Promise.all([whenStored(owner), whenStored(editor)]);

    const stored = await fetch(`${running.url}/api/projects/${team.projectId}/document`, {
      headers: { authorization: `Bearer ${team.viewer.token}` },
    });
    expect(stored.status).toBe(200);
    expect(stored.headers.get("content-type")).toContain("application/octet-stream");
    const copy = new Y.Doc();
    Y.applyUpdate(copy, new Uint8Array(await stored.arrayBuffer()));
    expect(copy.getText("body").toString()).toBe("Hello, world");
  });

  it("syncs a late joiner with everything so far", async () => {
    const team = await projectWithTeam(running.url);
    const owner = provider(running.url, team.owner.token, team.projectId);
    await owner.whenSynced();
    owner.doc.getArray("items").push([1, 2, 3]);
    await whenStored(owner);
    const viewer = provider(running.url, team.viewer.token, team.projectId);
    await viewer.whenSynced();
    expect(viewer.doc.getArray("items").toArray()).toEqual([1, 2, 3]);
  });

  it("serves the document over HTTP to members only", async () => {
    const team = await projectWithTeam(running.url);
    const outsider = await request(running.url, "GET", `/api/projects/${team.projectId}/document`, {
      token: team.outsider.token,
    });
    expect(outsider.status).toBe(404);
    const empty = await fetch(`${running.url}/api/projects/${team.projectId}/document`, {
      headers: { authorization: `Bearer ${team.owner.token}` },
    });
    const doc = new Y.Doc();
    Y.applyUpdate(doc, new Uint8Array(await empty.arrayBuffer()));
    expect(doc.getText("body").toString()).toBe("");
  });
});
