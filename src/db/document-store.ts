import { type Connection, Schema, Types } from "mongoose";
import type { ClientBinding, DocumentStore } from "../collab/storage.js";
import { GroupCommit } from "./group-commit.js";

interface StoredBinding {
  c: number;
  u: string;
}

interface UpdateRecord {
  _id: Types.ObjectId;
  documentId: string;
  update: Buffer;
  /** Client ids this update was the first to use, bound to its sender (absent when none). */
  binds?: StoredBinding[];
}

interface SnapshotRecord {
  _id: string;
  /** The snapshot's first chunk; the rest are in `documentsnapshotparts` under `partsId`. */
  state: Buffer;
  parts: number;
  partsId?: Types.ObjectId;
  bindings: StoredBinding[];
  /** Compare-and-set guard: two compactions never overwrite each other's snapshot. */
  version: number;
  updatedAt: Date;
}

interface SnapshotPartRecord {
  _id: Types.ObjectId;
  documentId: string;
  partsId: Types.ObjectId;
  index: number;
  state: Buffer;
}

const bindingSchema = new Schema<StoredBinding>({ c: Number, u: String }, { _id: false });

const updateSchema = new Schema<UpdateRecord>(
  {
    documentId: { type: String, required: true },
    update: { type: Buffer, required: true },
    binds: { type: [bindingSchema], default: undefined },
  },
  { versionKey: false },
);
updateSchema.index({ documentId: 1, _id: 1 });

const snapshotSchema = new Schema<SnapshotRecord>(
  {
    _id: { type: String, required: true },
    state: { type: Buffer, required: true },
    parts: { type: Number, default: 1 },
    partsId: { type: Schema.Types.ObjectId },
    bindings: { type: [bindingSchema], default: [] },
    version: { type: Number, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);

const snapshotPartSchema = new Schema<SnapshotPartRecord>(
  {
    documentId: { type: String, required: true },
    partsId: { type: Schema.Types.ObjectId, required: true },
    index: { type: Number, required: true },
    state: { type: Buffer, required: true },
  },
  { versionKey: false },
);
snapshotPartSchema.index({ partsId: 1, index: 1 }, { unique: true });
snapshotPartSchema.index({ documentId: 1 });

/**
 * A snapshot is stored in chunks of this size: a database document holds at
 * most 16 MiB, and a document at MAX_DOCUMENT_BYTES (or past it: the limit is
 * checked before each change, not after) must still be stored.
 */
export const SNAPSHOT_CHUNK_BYTES = 8 * 1024 * 1024;

/**
 * Compaction reads the log in batches of this many records: the driver
 * decodes a whole batch in one go, and thousands of records at once held the
 * event loop (and every relay behind it) for tens of milliseconds. A load
 * reads in as few round trips as it can: someone waits for it.
 */
const COMPACTION_READ_BATCH_RECORDS = 250;

/** A load that raced a compaction of the same document reads again; past this many tries it fails. */
const LOAD_ATTEMPTS = 5;

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

function chunksOf(state: Uint8Array): Buffer[] {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < state.byteLength || chunks.length === 0; offset += SNAPSHOT_CHUNK_BYTES) {
    chunks.push(Buffer.from(state.subarray(offset, offset + SNAPSHOT_CHUNK_BYTES)));
  }
  return chunks;
}

/** Every binding once, the first of each client id winning (snapshot first, then the log in insertion order). */
function foldBindings(lists: Array<readonly StoredBinding[] | undefined>): StoredBinding[] {
  const seen = new Map<number, string>();
  for (const list of lists) {
    for (const { c, u } of list ?? []) if (!seen.has(c)) seen.set(c, u);
  }
  return [...seen].map(([c, u]) => ({ c, u }));
}

/**
 * The document store on MongoDB: an append-only update log (one record per
 * update, appended in one insert per batch) and one snapshot per document
 * that compaction folds the log into, in chunks when it is large.
 */
export function createMongoDocumentStore(
  connection: Connection,
  timing: StoreTiming,
  /** Told of every insert into the update log: its duration and how many records it carried. */
  observeInsert?: (seconds: number, records: number) => void,
): DocumentStore & { init(): Promise<void> } {
  const updates = connection.model<UpdateRecord>("DocumentUpdate", updateSchema);
  const snapshots = connection.model<SnapshotRecord>("DocumentSnapshot", snapshotSchema);
  const snapshotParts = connection.model<SnapshotPartRecord>("DocumentSnapshotPart", snapshotPartSchema);

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
  const log = new GroupCommit<Omit<UpdateRecord, "_id">>(
    async (records) => {
      const started = performance.now();
      await driverCollection().insertMany(records, { ordered: false });
      observeInsert?.((performance.now() - started) / 1000, records.length);
    },
    { windowMs: GROUP_COMMIT_WINDOW_MS, intervalMs: timing.commitIntervalMs },
  );

  const readLog = (documentId: string, batchRecords: number | undefined) => {
    const query = updates.find({ documentId }, { update: 1, binds: 1 }).sort({ _id: 1 });
    if (batchRecords) query.batchSize(batchRecords);
    return query.lean<Pick<UpdateRecord, "_id" | "update" | "binds">[]>();
  };

  /**
   * The snapshot with all its chunks, and the log. A compaction that
   * finishes in the middle would replace the snapshot (or write the first)
   * and delete log records this read has not reached: the snapshot's version
   * is read again once the rest is read, and on a change everything is read
   * afresh. A compaction that finishes after that deletes only records this
   * read already has.
   */
  const read = async (documentId: string, logBatchRecords?: number) => {
    for (let attempt = 1; ; attempt++) {
      const snapshot = await snapshots.findById(documentId).lean<SnapshotRecord>();
      const [parts, entries] = await Promise.all([
        snapshot?.partsId && snapshot.parts > 1
          ? snapshotParts.find({ partsId: snapshot.partsId }).sort({ index: 1 }).lean<SnapshotPartRecord[]>()
          : [],
        readLog(documentId, logBatchRecords),
      ]);
      const after = await snapshots.findById(documentId, { version: 1 }).lean<Pick<SnapshotRecord, "version">>();
      const consistent = after?.version === snapshot?.version && (snapshot?.parts ?? 1) === parts.length + 1;
      if (consistent) {
        const state = snapshot ? [bytesOf(snapshot.state), ...parts.map((part) => bytesOf(part.state))] : [];
        return { snapshot, state: state.length > 0 ? Buffer.concat(state) : undefined, entries };
      }
      if (attempt >= LOAD_ATTEMPTS) throw new Error("the document kept changing while it was read");
    }
  };

  return {
    async init() {
      await Promise.all([updates.init(), snapshots.init(), snapshotParts.init()]);
    },

    logLength: (documentId) => updates.countDocuments({ documentId }),

    async load(documentId) {
      const { snapshot, state, entries } = await read(documentId);
      const stored = entries.map((entry) => bytesOf(entry.update));
      const bindings = foldBindings([snapshot?.bindings, ...entries.map((entry) => entry.binds)]);
      return {
        updates: state ? [state, ...stored] : stored,
        bindings: bindings.map(({ c, u }): ClientBinding => ({ clientId: c, userId: u })),
      };
    },

    append(documentId, batch) {
      if (batch.length === 0) return Promise.resolve();
      return log.add(
        batch.map(({ update, bindings }) => {
          const record: Omit<UpdateRecord, "_id"> = {
            documentId,
            update: Buffer.from(update.buffer, update.byteOffset, update.byteLength),
          };
          if (bindings.length > 0) record.binds = bindings.map(({ clientId, userId }) => ({ c: clientId, u: userId }));
          return record;
        }),
      );
    },

    async compact(documentId, merge) {
      const { snapshot, state: previous, entries } = await read(documentId, COMPACTION_READ_BATCH_RECORDS);
      if (entries.length === 0) return;
      const parts = entries.map((entry) => bytesOf(entry.update));
      const [first, ...rest] = chunksOf(merge(previous ? [previous, ...parts] : parts));
      const bindings = foldBindings([snapshot?.bindings, ...entries.map((entry) => entry.binds)]);
      // The chunks past the first go in first, under an id of this compaction's own, so a compaction that
      // loses the race below deletes only its own.
      const partsId = rest.length > 0 ? new Types.ObjectId() : undefined;
      if (partsId) {
        await snapshotParts.insertMany(
          rest.map((chunk, index) => ({ documentId, partsId, index: index + 1, state: chunk })),
        );
      }
      const fields = {
        state: first as Buffer,
        parts: rest.length + 1,
        ...(partsId ? { partsId } : {}),
        bindings,
        updatedAt: new Date(),
      };
      let won: boolean;
      if (snapshot) {
        const written = await snapshots.updateOne(
          { _id: documentId, version: snapshot.version },
          { $set: fields, $inc: { version: 1 }, ...(partsId ? {} : { $unset: { partsId: 1 } }) },
        );
        won = written.matchedCount === 1;
      } else {
        try {
          await snapshots.create({ _id: documentId, version: 1, ...fields });
          won = true;
        } catch (error) {
          if ((error as { code?: unknown }).code !== 11000) throw error;
          won = false;
        }
      }
      if (!won) {
        // Another compaction won; its snapshot holds what we read.
        if (partsId) await snapshotParts.deleteMany({ partsId });
        return;
      }
      // Only what was read and folded in; updates appended meanwhile stay in the log.
      await updates.deleteMany({ documentId, _id: { $in: entries.map((entry) => entry._id) } });
      if (snapshot?.partsId) await snapshotParts.deleteMany({ partsId: snapshot.partsId });
    },

    async remove(documentId) {
      await Promise.all([
        updates.deleteMany({ documentId }),
        snapshots.deleteOne({ _id: documentId }),
        snapshotParts.deleteMany({ documentId }),
      ]);
    },
  };
}
