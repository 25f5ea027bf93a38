import mongoose from "mongoose";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { mergeIntoSnapshot } from "../../src/collab/snapshots.js";
import { createMongoDocumentStore } from "../../src/db/document-store.js";
import { fetchDocument, provider, until, untilUnloaded, whenStored } from "../helpers/collab.js";
import { useService } from "../helpers/lifecycle.js";
import { projectWithTeam } from "../helpers/projects.js";
import { insertion, rawClient, updateMessage } from "../helpers/raw-yjs.js";

const running = useService({ DOC_UNLOAD_DELAY_MS: "0", DOC_COMPACT_AFTER_UPDATES: "5" });

/** An update as a store takes it, binding no client id. */
const unbound = (update: Uint8Array) => ({ update, bindings: [] });

describe("durable documents", () => {
  it("stores every acknowledged update, compacts the log, and reloads the same document after unloading", async () => {
    const team = await projectWithTeam(running.url);
    const client = await rawClient(running.url, team.editor.token, team.projectId);
    const local = new Y.Doc();
    for (let i = 0; i < 23; i++) {
      const before = Y.encodeStateVector(local);
      local.getText("body").insert(local.getText("body").length, `${i},`);
      expect(await client.sync(team.projectId, updateMessage(Y.encodeStateAsUpdate(local, before)))).toEqual({
        ok: true,
      });
    }
    client.socket.close();
    await untilUnloaded(running.service.documents, team.projectId);

    const db = running.service.database.connection.db!;
    const logged = await db.collection("documentupdates").countDocuments({ documentId: team.projectId });
    expect(logged).toBe(0);
    expect(await db.collection("documentsnapshots").countDocuments({ _id: team.projectId as never })).toBe(1);

    const reader = provider(running.url, team.viewer.token, team.projectId);
    await reader.whenSynced();
    expect(reader.doc.getText("body").toString()).toBe(local.getText("body").toString());
    expect(Y.encodeStateAsUpdate(reader.doc)).toEqual(Y.encodeStateAsUpdate(local));
  });

  it("loads a document once for concurrent first opens", async () => {
    const team = await projectWithTeam(running.url);
    const owner = provider(running.url, team.owner.token, team.projectId);
    await owner.whenSynced();
    owner.doc.getText("body").insert(0, "shared");
    await whenStored(owner);
    owner.destroy();
    await untilUnloaded(running.service.documents, team.projectId);

    const readers = [team.owner, team.editor, team.viewer, team.editor, team.viewer].map((member) =>
      provider(running.url, member.token, team.projectId),
    );
    await Promise.all(readers.map((reader) => reader.whenSynced()));
    expect(running.service.documents.connectionCount(team.projectId)).toBe(5);
    for (const reader of readers) expect(reader.doc.getText("body").toString()).toBe("shared");
  });

  it("compaction folds in what another writer stored, and the room receives it", async () => {
    const team = await projectWithTeam(running.url);
    const editor = await rawClient(running.url, team.editor.token, team.projectId);
    const reader = await rawClient(running.url, team.viewer.token, team.projectId);
    const connection = await mongoose.createConnection(running.mongo.databaseUri).asPromise();
    try {
      const elsewhere = createMongoDocumentStore(connection, { commitIntervalMs: 20 });
      await elsewhere.init();
      await elsewhere.append(team.projectId, [unbound(insertion("from elsewhere "))]);
    } finally {
      await connection.close();
    }
    // Enough appends from this node to trigger a compaction (DOC_COMPACT_AFTER_UPDATES is 5).
    for (let i = 0; i < 5; i++) {
      expect(await editor.sync(team.projectId, updateMessage(insertion(`${i}`)))).toEqual({ ok: true });
    }
    await until(reader.doc, () => reader.doc.getText("body").toString().includes("from elsewhere"));
    const stored = await fetchDocument(running.url, team.owner.token, team.projectId);
    expect(stored.getText("body").toString()).toContain("from elsewhere");
  });

  it("compaction never drops an update appended while it runs", async () => {
    const connection = await mongoose.createConnection(running.mongo.databaseUri).asPromise();
    try {
      const store = createMongoDocumentStore(connection, { commitIntervalMs: 20 });
      await store.init();
      const id = "compaction-race";
      await store.append(id, [unbound(insertion("a")), unbound(insertion("b"))]);
      let lateAppend: Promise<void> | undefined;
      await store.compact(id, (updates) => {
        // Another writer appends while the merge is in progress.
        lateAppend = store.append(id, [unbound(insertion("late"))]);
        return mergeIntoSnapshot(updates);
      });
      await lateAppend;
      const doc = new Y.Doc();
      for (const update of (await store.load(id)).updates) Y.applyUpdate(doc, update);
      const text = doc.getText("body").toString();
      for (const part of ["a", "b", "late"]) expect(text).toContain(part);
    } finally {
      await connection.close();
    }
  });
});
