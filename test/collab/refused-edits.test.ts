import { describe, expect, it } from "vitest";
import { fetchDocument, provider, until, whenStored } from "../helpers/collab.js";
import { request } from "../helpers/http.js";
import { useService } from "../helpers/lifecycle.js";
import { projectWithTeam } from "../helpers/projects.js";

const running = useService();

const changeRole = (team: Awaited<ReturnType<typeof projectWithTeam>>, userId: string, role: string) =>
  request(running.url, "PATCH", `/api/projects/${team.projectId}/members/${userId}`, {
    token: team.owner.token,
    body: { role },
  });

describe("edits the server refuses as READ_ONLY", () => {
  it("are undone locally and never reach the shared document, not after a promotion nor a reconnect", async () => {
    const team = await projectWithTeam(running.url);
    const owner = provider(running.url, team.owner.token, team.projectId);
    const viewer = provider(running.url, team.viewer.token, team.projectId);
    await Promise.all([owner.whenSynced(), viewer.whenSynced()]);
    owner.doc.getText("body").insert(0, "base.");
    await whenStored(owner);
    await until(viewer.doc, () => viewer.doc.getText("body").toString() === "base.");

    const errors: unknown[] = [];
    const reverted: unknown[] = [];
    viewer.on("error", (error) => errors.push(error));
    viewer.on("reverted", (code, edits) => reverted.push([code, edits]));
    const body = viewer.doc.getText("body");
    for (const character of "REFUSED") body.insert(body.length, character);
    body.delete(0, 2);
    await until(viewer.doc, () => body.toString() === "base.");
    expect(reverted).toEqual([["READ_ONLY", 1]]); // once, not once per keystroke
    expect(errors).toEqual([]);
    expect(viewer.unsyncedChanges).toBe(0);
    expect(viewer.saveState).toBe("saved");

    // Promoted, then reconnected: the next sync step 2 carries the viewer's whole state, and none of it shows.
    const promoted = new Promise<void>((resolve) => viewer.once("role", () => resolve()));
    expect((await changeRole(team, team.viewer.user.id, "editor")).status).toBe(200);
    await promoted;
    viewer.disconnect();
    viewer.connect();
    await viewer.whenSynced();
    body.insert(body.length, "ALLOWED.");
    await whenStored(viewer);
    await until(owner.doc, () => owner.doc.getText("body").toString().includes("ALLOWED"));
    expect(owner.doc.getText("body").toString()).toBe("base.ALLOWED.");
    const stored = await fetchDocument(running.url, team.owner.token, team.projectId);
    expect(stored.getText("body").toString()).toBe("base.ALLOWED.");
  });

  it("undoes an offline edit whose author was demoted meanwhile, when the reconnect's step 2 is refused", async () => {
    const team = await projectWithTeam(running.url);
    const owner = provider(running.url, team.owner.token, team.projectId);
    const editor = provider(running.url, team.editor.token, team.projectId);
    await Promise.all([owner.whenSynced(), editor.whenSynced()]);
    editor.disconnect();
    // Demoted while offline: the provider still believes it may edit, and queues the edit for the next step 2.
    expect((await changeRole(team, team.editor.user.id, "viewer")).status).toBe(200);
    editor.doc.getText("body").insert(0, "LATE.");
    expect(editor.unsyncedChanges).toBe(1);
    expect(editor.saveState).toBe("offline-unsaved");

    const reverted = new Promise<string>((resolve) => editor.once("reverted", (code) => resolve(code)));
    editor.connect();
    expect(await reverted).toBe("READ_ONLY");
    expect(editor.doc.getText("body").toString()).toBe("");
    expect([editor.readOnly, editor.unsyncedChanges, editor.saveState]).toEqual([true, 0, "saved"]);

    expect((await changeRole(team, team.editor.user.id, "editor")).status).toBe(200);
    editor.disconnect();
    editor.connect();
    await editor.whenSynced();
    editor.doc.getText("body").insert(0, "ok.");
    await whenStored(editor);
    await until(owner.doc, () => owner.doc.getText("body").toString() === "ok.");
    expect((await fetchDocument(running.url, team.owner.token, team.projectId)).getText("body").toString()).toBe("ok.");
  });
});
