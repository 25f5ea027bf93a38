import { type Connection, Schema, type Types } from "mongoose";
import type { DocumentStore } from "../collab/storage.js";

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
 * How long an append waits for others to share its insert. Each insert costs
 * the driver far more than each record in it (about 40% of the service's CPU
 * under W2 when every update had its own), and an ack a few milliseconds
 * later is nothing a person typing can notice.
 */
const GROUP_COMMIT_WINDOW_MS = 5;

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
export function createMongoDocumentStore(connection: Connection): DocumentStore & { init(): Promise<void> } {
  const updates = connection.model<UpdateRecord>("DocumentUpdate", updateSchema);
  const snapshots = connection.model<SnapshotRecord>("DocumentSnapshot", snapshotSchema);

  /**
   * Group commit across documents: appends wait up to a few milliseconds,
   * and while one insert is in flight, every append waits for the next one,
   * so the busier the service, the larger each insert; the database sees a
   * few hundred inserts a second at most, however many updates arrive. The
   * records go through the driver collection, built here in their stored
   * shape. A failed insert fails every append in it; callers retry, and a
   * record stored twice is harmless, Yjs updates being idempotent.
   */
  let pending:
    | {
        records: Array<{ documentId: string; update: Buffer }>;
        waiters: Array<{ resolve(): void; reject(error: unknown): void }>;
      }
    | undefined;
  let inFlight = false;
  const driverCollection = () => {
    if (!connection.db) throw new Error("the database connection is not open");
    return connection.db.collection(updates.collection.collectionName);
  };
  const commit = () => {
    const current = pending;
    if (!current || inFlight) return;
    pending = undefined;
    inFlight = true;
    // The driver's collection itself: mongoose's wrapper around it cost a fifth of each insert in a profile.
    Promise.resolve()
      .then(() => driverCollection().insertMany(current.records, { ordered: false }))
      .then(
        () => {
          for (const waiter of current.waiters) waiter.resolve();
        },
        (error: unknown) => {
          for (const waiter of current.waiters) waiter.reject(error);
        },
      )
      .finally(() => {
        inFlight = false;
        commit();
      });
  };

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
      return new Promise((resolve, reject) => {
        if (!pending) {
          pending = { records: [], waiters: [] };
          if (!inFlight) setTimeout(commit, GROUP_COMMIT_WINDOW_MS);
        }
        for (const update of batch) {
          pending.records.push({
            documentId,
            update: Buffer.from(update.buffer, update.byteOffset, update.byteLength),
          });
        }
        pending.waiters.push({ resolve, reject });
      });
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
