import { describe, expect, it } from "vitest";
import { fetchDocument, provider, until, whenStored } from "../helpers/collab.js";
import { request } from "../helpers/http.js";
import { useService } from "../helpers/lifecycle.js";
import { projectWithTeam } from "../helpers/projects.js";
import { insertion, rawClient, updateMessage } from "../helpers/raw-yjs.js";
import { nextEvent } from "../helpers/sockets.js";

const running = useService();

describe("read-only viewers", () => {
  it("refuses a viewer's change with READ_ONLY and leaves the document untouched", async () => {
    const team = await projectWithTeam(running.url);
    const viewer = await rawClient(running.url, team.viewer.token, team.projectId);
    const response = await viewer.sync(team.projectId, updateMessage(insertion("sneaky")));
    expect(response).toEqual({ ok: false, error: { code: "READ_ONLY", message: expect.any(String) } });
    expect((await fetchDocument(running.url, team.owner.token, team.projectId)).getText("body").toString()).toBe("");
  });

  it("tells a viewer without an ack through yjs:error", async () => {
    const team = await projectWithTeam(running.url);
    const viewer = await rawClient(running.url, team.viewer.token, team.projectId);
    const error = nextEvent(viewer.socket, "yjs:error");
    viewer.socket.emit("yjs:sync", team.projectId, updateMessage(insertion("no ack")));
    expect(await error).toEqual({ projectId: team.projectId, code: "READ_ONLY" });
  });

  it("lets a viewer sync and follow the editors", async () => {
    const team = await projectWithTeam(running.url);
    const editor = provider(running.url, team.editor.token, team.projectId);
    const viewer = provider(running.url, team.viewer.token, team.projectId);
    const errors: unknown[] = [];
    viewer.on("error", (error) => errors.push(error));
    await Promise.all([editor.whenSynced(), viewer.whenSynced()]);
    editor.doc.getText("body").insert(0, "for your eyes");
    await until(viewer.doc, () => viewer.doc.getText("body").toString() === "for your eyes");
    expect(viewer.role).toBe("viewer");
    expect(errors).toEqual([]);
  });

  it("applies a demotion at the next change", async () => {
    const team = await projectWithTeam(running.url);
    const editor = await rawClient(running.url, team.editor.token, team.projectId);
    expect(await editor.sync(team.projectId, updateMessage(insertion("first ")))).toEqual({ ok: true });
    const demoted = await request(
      running.url,
      "PATCH",
      `/api/projects/${team.projectId}/members/${team.editor.user.id}`,
      {
        token: team.owner.token,
        body: { role: "viewer" },
      },
    );
    expect(demoted.status).toBe(200);
    const refused = await editor.sync(team.projectId, updateMessage(insertion("second ")));
    expect(refused).toMatchObject({ ok: false, error: { code: "READ_ONLY" } });
    await request(running.url, "PATCH", `/api/projects/${team.projectId}/members/${team.editor.user.id}`, {
      token: team.owner.token,
      body: { role: "editor" },
    });
    expect(await editor.sync(team.projectId, updateMessage(insertion("third ")))).toEqual({ ok: true });
    const owner = provider(running.url, team.owner.token, team.projectId);
    await owner.whenSynced();
    await whenStored(owner);
    expect(owner.doc.getText("body").toString()).not.toContain("second");
  });
});
