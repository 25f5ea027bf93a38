import { calculateObjectSize, type Document, Long } from "bson";

interface OpenCursor {
  namespace: string;
  remaining: Document[];
  batchSize: number | undefined;
  /** The logical session that opened it (its `lsid`), which `endSessions` ends with it. */
  session: string | undefined;
  usedAt: number;
}

/** Like MongoDB's cursorTimeoutMillis: a cursor nobody asked for more for 10 minutes is closed. */
export const CURSOR_IDLE_MS = 10 * 60 * 1000;

/** MongoDB's default first batch: 101 documents. */
export const DEFAULT_FIRST_BATCH = 101;
/** Replies stay under the 16 MiB document limit; a batch stops once it passes this many bytes . */
const MAX_BATCH_BYTES = 8 * 1024 * 1024;

/** How many of `documents` the next batch takes: at most `limit`, and at least one, until it passes MAX_BATCH_BYTES. */
function batchLength(documents: Document[], limit: number): number {
  let count = 0;
  let bytes = 0;
  while (count < documents.length && count < limit && bytes < MAX_BATCH_BYTES) {
    bytes += calculateObjectSize(documents[count] as Document);
    count += 1;
  }
  return count;
}

/**
 * Open cursors, each holding the rest of its result snapshot. Results are
 * materialized at `find` time: a development database trades memory for
 * simplicity here, and stored documents are immutable, so a snapshot is safe.
 * What bounds that memory: cursors idle for `idleMs` are closed (looked for
 * at most every `idleMs / 10`, as cursors are opened or asked for, so no
 * timer outlives the server), and so are a session's when the client ends it.
 */
export class CursorRegistry {
  private readonly cursors = new Map<string, OpenCursor>();
  private nextId = 1n;
  private sweptAt: number;

  constructor(
    private readonly idleMs = CURSOR_IDLE_MS,
    private readonly now: () => number = Date.now,
  ) {
    this.sweptAt = now();
  }

  /** Splits off the first batch; registers a cursor when documents remain. */
  open(
    namespace: string,
    results: Document[],
    firstBatchSize: number,
    batchSize: number | undefined,
    single: boolean,
    session?: string,
  ) {
    this.closeIdle();
    const count = batchLength(results, firstBatchSize);
    const firstBatch = results.slice(0, count);
    const remaining = results.slice(count);
    if (single || remaining.length === 0) return { id: Long.ZERO, firstBatch };
    const id = this.nextId++;
    this.cursors.set(id.toString(), { namespace, remaining, batchSize, session, usedAt: this.now() });
    return { id: Long.fromBigInt(id), firstBatch };
  }

  get size(): number {
    return this.cursors.size;
  }

  /** Closes the cursors of these sessions (`endSessions`). */
  endSessions(sessions: ReadonlySet<string>): void {
    for (const [key, cursor] of this.cursors)
      if (cursor.session && sessions.has(cursor.session)) this.cursors.delete(key);
  }

  has(id: Long): boolean {
    this.closeIdle();
    const key = id.toString();
    const cursor = this.cursors.get(key);
    // The one asked for is held to its deadline exactly; the sweep may leave others a tenth longer.
    if (cursor && this.now() - cursor.usedAt >= this.idleMs) this.cursors.delete(key);
    return this.cursors.has(key);
  }

  namespaceOf(id: Long): string | undefined {
    return this.cursors.get(id.toString())?.namespace;
  }

  next(id: Long, batchSize: number | undefined): { id: Long; nextBatch: Document[] } {
    const key = id.toString();
    const cursor = this.cursors.get(key);
    if (!cursor) return { id: Long.ZERO, nextBatch: [] };
    cursor.usedAt = this.now();
    const count = batchLength(cursor.remaining, batchSize ?? cursor.batchSize ?? Number.POSITIVE_INFINITY);
    const nextBatch = cursor.remaining.splice(0, count);
    if (cursor.remaining.length === 0) {
      this.cursors.delete(key);
      return { id: Long.ZERO, nextBatch };
    }
    return { id, nextBatch };
  }

  kill(id: Long): boolean {
    return this.cursors.delete(id.toString());
  }

  private closeIdle(): void {
    const now = this.now();
    if (now - this.sweptAt < this.idleMs / 10) return;
    this.sweptAt = now;
    for (const [key, cursor] of this.cursors) if (now - cursor.usedAt >= this.idleMs) this.cursors.delete(key);
  }
}
