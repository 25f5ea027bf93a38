import type { ClientBinding, DocumentStore, StoredUpdate } from "./storage.js";

interface Waiting extends StoredUpdate {
  resolve: () => void;
}

export interface PersistenceLog {
  warn(details: object, message: string): void;
}

/** The log may hold at least this many bytes, and at least as many as the last snapshot, before compaction. */
const MIN_LOG_BYTES = 64 * 1024;
const FIRST_RETRY_MS = 50;
const MAX_RETRY_MS = 5_000;

/**
 * Durable storage for one document's changes: the updates of one event-loop
 * turn go to the store in one append (the store may group appends of many
 * documents into one write), and each sender's promise resolves only once
 * its batch is durable. Batches do not wait for each other: Yjs updates
 * commute, so the log's order does not matter, and an ack waits only for its
 * own write. A failed append is retried with backoff. Compaction runs beside
 * the appends: it may only replace what it read, so nothing waits for it.
 * It runs once the log outgrows the last snapshot (so its cost, which grows
 * with the document, stays proportional to what was written since), or
 * holds `compactAfterUpdates` records (so loading stays quick).
 */
export class PersistQueue {
  private waiting: Waiting[] = [];
  private scheduled = false;
  private readonly inFlight = new Set<Promise<void>>();
  private compacting: Promise<void> | undefined;
  private appendedSinceCompaction = 0;
  private appendedBytesSinceCompaction = 0;
  private snapshotBytes = 0;
  private stopped = false;

  constructor(
    private readonly store: DocumentStore,
    private readonly documentId: string,
    private readonly compactAfterUpdates: number,
    private readonly merge: (updates: Uint8Array[]) => Uint8Array,
    private readonly log: PersistenceLog,
  ) {}

  /** The size of what the store held at load: the log may grow to that before compaction. */
  loaded(storedBytes: number): void {
    this.snapshotBytes = storedBytes;
  }

  /** `bindings`: the client ids this update is the first to use, stored with it. */
  enqueue(update: Uint8Array, bindings: readonly ClientBinding[] = []): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push({ update, bindings, resolve });
      if (this.scheduled) return;
      this.scheduled = true;
      // Let the rest of this turn's updates join the batch.
      setImmediate(this.writeBatch);
    });
  }

  /** Resolves once everything enqueued so far is stored. */
  async flush(): Promise<void> {
    if (this.waiting.length > 0) this.writeBatch();
    await Promise.all(this.inFlight);
  }

  /** Folds the log into a snapshot now (on unload), after pending appends and any compaction under way. */
  async compact(): Promise<void> {
    await this.flush();
    await this.compacting;
    if (this.appendedSinceCompaction === 0) return;
    await this.runCompaction();
  }

  /**
   * Gives up retrying, for a document whose project was deleted; resolves
   * once no write of it is under way, so none lands after the deletion.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const waiting of this.waiting.splice(0)) waiting.resolve();
    await Promise.allSettled([...this.inFlight, this.compacting]);
  }

  private readonly writeBatch = () => {
    this.scheduled = false;
    const batch = this.waiting.splice(0);
    if (batch.length === 0) return;
    const written = this.append(batch).finally(() => this.inFlight.delete(written));
    this.inFlight.add(written);
  };

  private async append(batch: Waiting[]): Promise<void> {
    for (let delay = FIRST_RETRY_MS; !this.stopped; delay = Math.min(delay * 2, MAX_RETRY_MS)) {
      try {
        await this.store.append(this.documentId, batch);
        break;
      } catch (error) {
        this.log.warn({ err: error, documentId: this.documentId, retryInMs: delay }, "storing document updates failed");
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
    for (const waiting of batch) waiting.resolve();
    this.appendedSinceCompaction += batch.length;
    for (const { update } of batch) this.appendedBytesSinceCompaction += update.byteLength;
    this.compactIfLarge();
  }

  /** How many bytes the log may hold before compaction: at least as many as the last snapshot. */
  get logBytesBeforeCompaction(): number {
    return Math.max(MIN_LOG_BYTES, this.snapshotBytes);
  }

  /**
   * Another node holding the document stored one of its changes in the same
   * log (a cluster): the log's size is what every node appended, so they
   * reach the threshold together, and the store lets one of them compact.
   */
  countStoredElsewhere(bytes: number): void {
    this.appendedSinceCompaction += 1;
    this.appendedBytesSinceCompaction += bytes;
    this.compactIfLarge();
  }

  private compactIfLarge(): void {
    const logIsLarge =
      this.appendedSinceCompaction >= this.compactAfterUpdates ||
      this.appendedBytesSinceCompaction >= this.logBytesBeforeCompaction;
    if (logIsLarge && !this.compacting && !this.stopped) {
      this.compacting = this.runCompaction()
        .catch((error: unknown) =>
          this.log.warn(
            { err: error, documentId: this.documentId },
            "compacting the update log failed; will retry later",
          ),
        )
        .finally(() => {
          this.compacting = undefined;
        });
    }
  }

  /** Whatever is appended while it runs counts towards the next one: this one may not have read it. */
  private async runCompaction(): Promise<void> {
    const counted = this.appendedSinceCompaction;
    const countedBytes = this.appendedBytesSinceCompaction;
    await this.store.compact(this.documentId, (updates) => {
      const snapshot = this.merge(updates);
      this.snapshotBytes = snapshot.byteLength;
      return snapshot;
    });
    this.appendedSinceCompaction -= counted;
    this.appendedBytesSinceCompaction -= countedBytes;
  }
}
