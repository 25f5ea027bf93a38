import { randomBytes } from "node:crypto";
import mongoose from "mongoose";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { mergeIntoSnapshot } from "../../src/collab/snapshots.js";
import { createMongoDocumentStore, SNAPSHOT_CHUNK_BYTES } from "../../src/db/document-store.js";
import { fetchDocument, provider, untilUnloaded } from "../helpers/collab.js";
import { useService } from "../helpers/lifecycle.js";
import { projectWithTeam } from "../helpers/projects.js";
import { rawClient, updateMessage } from "../helpers/raw-yjs.js";

const MAX_DOCUMENT_BYTES = 20 * 1024 * 1024;
const running = useService({
  DOC_UNLOAD_DELAY_MS: "0",
  MAX_DOCUMENT_BYTES: String(MAX_DOCUMENT_BYTES),
  DOC_BYTES_PER_SECOND: String(8 * 1024 * 1024),
});

/** About 1.9 MB of text that does not compress into runs: a large paste. */
function paste(doc: Y.Doc): Uint8Array {
  const before = Y.encodeStateVector(doc);
  doc.getText("body").insert(doc.getText("body").length, randomBytes(950_000).toString("hex"));
  return Y.encodeStateAsUpdate(doc, before);
}

describe("a document at its size limit", () => {
  it("refuses the change that would pass MAX_DOCUMENT_BYTES, then opens, downloads and compacts", async () => {
    const team = await projectWithTeam(running.url);
    const editor = await rawClient(running.url, team.editor.token, team.projectId);
    const local = new Y.Doc();
    let accepted = 0;
    for (let update = paste(local); ; update = paste(local)) {
      let response = await editor.sync(team.projectId, updateMessage(update));
      while (!response.ok && response.error.code === "RATE_LIMITED") {
        // What a client does: the byte budget refills, so send it again a little later.
        await new Promise((resolve) => setTimeout(resolve, 250));
        response = await editor.sync(team.projectId, updateMessage(update));
      }
      if (!response.ok) {
        expect(response.error.code).toBe("TOO_LARGE");
        break;
      }
      accepted += 1;
      expect(accepted).toBeLessThan(20);
    }
    const expected = local
      .getText("body")
      .toString()
      .slice(0, accepted * 1_900_000);
    const size = (doc: Y.Doc) => Y.encodeStateAsUpdate(doc).byteLength;

    const downloaded = await fetchDocument(running.url, team.viewer.token, team.projectId);
    expect(downloaded.getText("body").toString()).toBe(expected);
    expect(size(downloaded)).toBeGreaterThan(MAX_DOCUMENT_BYTES - 2_000_000);
    expect(size(downloaded)).toBeLessThanOrEqual(MAX_DOCUMENT_BYTES);

    editor.socket.close();
    await untilUnloaded(running.service.documents, team.projectId, 20_000);
    const db = running.service.database.connection.db!;
    expect(await db.collection("documentupdates").countDocuments({ documentId: team.projectId })).toBe(0);
    const snapshot = await db.collection("documentsnapshots").findOne({ _id: team.projectId as never });
    expect(snapshot?.parts).toBe(Math.ceil(size(downloaded) / SNAPSHOT_CHUNK_BYTES));

    const fromStore = await fetchDocument(running.url, team.viewer.token, team.projectId);
    expect(fromStore.getText("body").toString()).toBe(expected);
    const reader = provider(running.url, team.viewer.token, team.projectId);
    await reader.whenSynced();
    expect(reader.doc.getText("body").toString()).toBe(expected);
  }, 60_000);

  it("loads an update log larger than one database reply can hold", async () => {
    const connection = await mongoose.createConnection(running.mongo.databaseUri).asPromise();
    try {
      const store = createMongoDocumentStore(connection, { commitIntervalMs: 20 });
      await store.init();
      const local = new Y.Doc();
      const id = "large-log";
      for (let i = 0; i < 10; i++) await store.append(id, [{ update: paste(local), bindings: [] }]);
      const loaded = await store.load(id);
      expect(loaded.updates).toHaveLength(10);
      await store.compact(id, mergeIntoSnapshot);
      const doc = new Y.Doc();
      for (const update of (await store.load(id)).updates) Y.applyUpdate(doc, update);
      expect(doc.getText("body").toString()).toBe(local.getText("body").toString());
    } finally {
      await connection.close();
    }
  }, 60_000);
});
