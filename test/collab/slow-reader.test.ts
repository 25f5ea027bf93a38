import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { request } from "../helpers/http.js";
import { useService } from "../helpers/lifecycle.js";
import { projectWithTeam } from "../helpers/projects.js";
import { connectNamespace, rawEngineClient, waitForText } from "../helpers/raw-engine.js";
import { rawClient, step1Message, updateMessage } from "../helpers/raw-yjs.js";

const running = useService({
  MAX_DOCUMENT_BYTES: String(4 * 1024 * 1024),
  SEND_BUFFER_MAX_BYTES: String(5 * 1024 * 1024),
  DOC_BYTES_PER_SECOND: String(256 * 1024 * 1024),
});

/** Replaces the whole text with `size` fresh characters: the document stays small, each change is large. */
function replaceAll(doc: Y.Doc, size: number): Uint8Array {
  const before = Y.encodeStateVector(doc);
  const text = doc.getText("body");
  doc.transact(() => {
    text.delete(0, text.length);
    text.insert(0, randomBytes(size / 2).toString("hex"));
  });
  return Y.encodeStateAsUpdate(doc, before);
}

async function openRaw(token: string, projectId: string) {
  const client = await rawEngineClient(running.url);
  await connectNamespace(client, "/projects", token);
  client.ws.send(`42/projects,1${JSON.stringify(["project:open", projectId])}`);
  const ack = await waitForText(client, (text) => text.startsWith("43/projects,1"));
  expect(ack).toContain('"ok":true');
  return client;
}

async function online(token: string, projectId: string): Promise<string[]> {
  const response = await request(running.url, "GET", `/api/projects/${projectId}/presence`, { token });
  return (response.body.online as Array<{ userId: string }>).map((user) => user.userId);
}

describe("a client that stops reading", () => {
  it("is disconnected once what waits for it passes SEND_BUFFER_MAX_BYTES; the others keep editing", async () => {
    const team = await projectWithTeam(running.url);
    const editor = await rawClient(running.url, team.editor.token, team.projectId);
    const slow = await openRaw(team.viewer.token, team.projectId);
    expect(await online(team.owner.token, team.projectId)).toContain(team.viewer.user.id);
    slow.pause();

    const local = new Y.Doc();
    let sent = 0;
    while ((await online(team.owner.token, team.projectId)).includes(team.viewer.user.id)) {
      // Far more than loopback's kernel buffers and the limit together; the slow reader must be gone well before.
      expect(sent).toBeLessThan(400);
      for (let i = 0; i < 10; i++, sent++) {
        expect(await editor.sync(team.projectId, updateMessage(replaceAll(local, 200_000)))).toEqual({ ok: true });
      }
    }
    // The editor is untouched and still served.
    expect(editor.socket.connected).toBe(true);
    expect(await editor.sync(team.projectId, updateMessage(replaceAll(local, 1000)))).toEqual({ ok: true });
  }, 60_000);

  it("gets one full-state answer in flight, however many sync step 1 it sends", async () => {
    const team = await projectWithTeam(running.url);
    const editor = await rawClient(running.url, team.editor.token, team.projectId);
    const local = new Y.Doc();
    expect(await editor.sync(team.projectId, updateMessage(replaceAll(local, 600_000)))).toEqual({ ok: true });

    const asker = await openRaw(team.viewer.token, team.projectId);
    const step1 = Buffer.from(step1Message(new Y.Doc())).toString("base64");
    for (let i = 0; i < 30; i++) asker.emit("/projects", "yjs:sync", team.projectId, step1);
    // A later request/ack: by its answer, everything the server did for the 30 requests has been sent.
    asker.ws.send(`42/projects,2${JSON.stringify(["project:close", "000000000000000000000000"])}`);
    await waitForText(asker, (text) => text.startsWith("43/projects,2"));
    // Each answer (600 KB, past the text limit) is one binary frame.
    expect(asker.binaries).toBeGreaterThanOrEqual(1);
    expect(asker.binaries).toBeLessThanOrEqual(3);
  });
});
