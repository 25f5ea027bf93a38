import type { DocumentStore } from "./storage.js";

interface Waiting {
  update: Uint8Array;
  resolve: () => void;
}

export interface PersistenceLog {
  warn(details: object, message: string): void;
}

const FIRST_RETRY_MS = 50;
const MAX_RETRY_MS = 5_000;

/**
 * Group commit for one document's update log: the updates that arrive in one
 * event-loop turn go to the store in one append, and each sender's promise
 * resolves only once its batch is durable. Appends are serialized, so a
 * failed one is retried (with backoff) before anything later is written.
 * Compaction runs beside the appends, never ahead of them: it may only
 * replace what it read, so appends need not wait for it, and an ack is never
 * held up by a merge.
 */
export class PersistQueue {
  private waiting: Waiting[] = [];
  private draining: Promise<void> | undefined;
  private compacting: Promise<void> | undefined;
  private appendedSinceCompaction = 0;
  private stopped = false;

  constructor(
    private readonly store: DocumentStore,
    private readonly documentId: string,
    private readonly compactAfterUpdates: number,
    private readonly merge: (updates: Uint8Array[]) => Uint8Array,
    private readonly log: PersistenceLog,
  ) {}

  enqueue(update: Uint8Array): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push({ update, resolve });
      this.kick();
    });
  }

  /** Resolves once everything enqueued so far is stored. */
  async flush(): Promise<void> {
    while (this.draining || this.waiting.length > 0) {
      this.kick();
      await this.draining;
    }
  }

  /** Folds the log into a snapshot now (on unload), after pending appends and any compaction under way. */
  async compact(): Promise<void> {
    await this.flush();
    await this.compacting;
    if (this.appendedSinceCompaction === 0) return;
    await this.runCompaction();
  }

  /** Gives up retrying: for a document whose project was deleted. */
  stop(): void {
    this.stopped = true;
    for (const waiting of this.waiting.splice(0)) waiting.resolve();
  }

  private kick(): void {
    if (this.draining || this.waiting.length === 0) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      this.kick();
    });
  }

  private async drain(): Promise<void> {
    // Let the rest of this turn's updates join the batch.
    await new Promise((resolve) => setImmediate(resolve));
    const batch = this.waiting.splice(0);
    if (batch.length === 0) return;
    for (let delay = FIRST_RETRY_MS; ; delay = Math.min(delay * 2, MAX_RETRY_MS)) {
      if (this.stopped) break;
      try {
        await this.store.append(
          this.documentId,
          batch.map((waiting) => waiting.update),
        );
        break;
      } catch (error) {
        this.log.warn({ err: error, documentId: this.documentId, retryInMs: delay }, "storing document updates failed");
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
    for (const waiting of batch) waiting.resolve();
    this.appendedSinceCompaction += batch.length;
    if (this.appendedSinceCompaction >= this.compactAfterUpdates && !this.compacting && !this.stopped) {
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
    await this.store.compact(this.documentId, this.merge);
    this.appendedSinceCompaction -= counted;
  }
}
