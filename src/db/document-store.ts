import { type Connection, Schema, type Types } from "mongoose";
import type { DocumentStore } from "../collab/storage.js";
import { GroupCommit } from "./group-commit.js";

interface UpdateRecord {
  _id: Types.ObjectId;
  documentId: string;
  update: Buffer;
}

interface SnapshotRecord {
  _id: string;
  state: Buffer;
  /** Compare-and-set guard: two compactions never overwrite each other's snapshot. */
  version: number;
  updatedAt: Date;
}

const updateSchema = new Schema<UpdateRecord>(
  { documentId: { type: String, required: true }, update: { type: Buffer, required: true } },
  { versionKey: false },
);
updateSchema.index({ documentId: 1, _id: 1 });

const snapshotSchema = new Schema<SnapshotRecord>(
  {
    _id: { type: String, required: true },
    state: { type: Buffer, required: true },
    version: { type: Number, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);

/**
 * How long an append after a quiet spell waits for others to share its
 * insert. Each insert costs the driver far more than each record in it
 * (about 150 µs against 4 µs timed in a tight loop, and several times that
 * per insert under load, docs/PERFORMANCE.md), so a busy service's appends
 * are grouped further by `StoreTiming.commitIntervalMs`.
 */
const GROUP_COMMIT_WINDOW_MS = 2;

export interface StoreTiming {
  /** Inserts into the update log start at least this far apart; appends in between share the next one. */
  commitIntervalMs: number;
}

/**
 * Lean reads give BSON Binary, hydrated ones Buffer. Checked by shape, not
 * `instanceof`: the driver loads bson's CommonJS build, this module its ESM
 * build, and the two `Binary` classes are different objects.
 */
function bytesOf(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  const binary = value as { _bsontype?: unknown; buffer?: unknown } | null;
  if (binary?._bsontype === "Binary" && binary.buffer instanceof Uint8Array) return binary.buffer;
  throw new Error("stored document bytes have an unexpected type");
}

/**
 * The document store on MongoDB: an append-only update log (one record per
 * update, appended in one insert per batch) and one snapshot per document
 * that compaction folds the log into.
 */
export function createMongoDocumentStore(
  connection: Connection,
  timing: StoreTiming,
): DocumentStore & { init(): Promise<void> } {
  const updates = connection.model<UpdateRecord>("DocumentUpdate", updateSchema);
  const snapshots = connection.model<SnapshotRecord>("DocumentSnapshot", snapshotSchema);

  let logCollection: ReturnType<NonNullable<Connection["db"]>["collection"]> | undefined;
  /** Built once: the driver resolves its options at every `collection()` call. */
  const driverCollection = () => {
    if (logCollection) return logCollection;
    if (!connection.db) throw new Error("the database connection is not open");
    logCollection = connection.db.collection(updates.collection.collectionName);
    return logCollection;
  };
  /**
   * One insert for the appends of every document in a commit. The records go
   * through the driver collection in their stored shape: mongoose's wrapper
   * cost a fifth of each insert in a profile. Callers retry a failed insert,
   * and a record stored twice is harmless, Yjs updates being idempotent.
   */
  const log = new GroupCommit<{ documentId: string; update: Buffer }>(
    async (records) => {
      await driverCollection().insertMany(records, { ordered: false });
    },
    { windowMs: GROUP_COMMIT_WINDOW_MS, intervalMs: timing.commitIntervalMs },
  );

  const read = async (documentId: string) => {
    const [snapshot, entries] = await Promise.all([
      snapshots.findById(documentId).lean<SnapshotRecord>(),
      updates.find({ documentId }).sort({ _id: 1 }).lean<UpdateRecord[]>(),
    ]);
    return { snapshot, entries };
  };

  return {
    async init() {
      await Promise.all([updates.init(), snapshots.init()]);
    },

    async load(documentId) {
      const { snapshot, entries } = await read(documentId);
      const stored = entries.map((entry) => bytesOf(entry.update));
      return snapshot ? [bytesOf(snapshot.state), ...stored] : stored;
    },

    append(documentId, batch) {
      if (batch.length === 0) return Promise.resolve();
      return log.add(
        batch.map((update) => ({
          documentId,
          update: Buffer.from(update.buffer, update.byteOffset, update.byteLength),
        })),
      );
    },

    async compact(documentId, merge) {
      const { snapshot, entries } = await read(documentId);
      if (entries.length === 0) return;
      const parts = entries.map((entry) => bytesOf(entry.update));
      const state = Buffer.from(merge(snapshot ? [bytesOf(snapshot.state), ...parts] : parts));
      if (snapshot) {
        const written = await snapshots.updateOne(
          { _id: documentId, version: snapshot.version },
          { $set: { state, updatedAt: new Date() }, $inc: { version: 1 } },
        );
        if (written.matchedCount === 0) return; // another compaction won; its snapshot holds what we read
      } else {
        try {
          await snapshots.create({ _id: documentId, state, version: 1, updatedAt: new Date() });
        } catch (error) {
          if ((error as { code?: unknown }).code === 11000) return;
          throw error;
        }
      }
      // Only what was read and folded in; updates appended meanwhile stay in the log.
      await updates.deleteMany({ documentId, _id: { $in: entries.map((entry) => entry._id) } });
    },

    async remove(documentId) {
      await Promise.all([updates.deleteMany({ documentId }), snapshots.deleteOne({ _id: documentId })]);
    },
  };
}
