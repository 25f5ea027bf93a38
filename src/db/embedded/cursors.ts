import { calculateObjectSize, type Document, Long } from "bson";

interface OpenCursor {
  namespace: string;
  remaining: Document[];
  batchSize: number | undefined;
}

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
 */
export class CursorRegistry {
  private readonly cursors = new Map<string, OpenCursor>();
  private nextId = 1n;

  /** Splits off the first batch; registers a cursor when documents remain. */
  open(namespace: string, results: Document[], firstBatchSize: number, batchSize: number | undefined, single: boolean) {
    const count = batchLength(results, firstBatchSize);
    const firstBatch = results.slice(0, count);
    const remaining = results.slice(count);
    if (single || remaining.length === 0) return { id: Long.ZERO, firstBatch };
    const id = this.nextId++;
    this.cursors.set(id.toString(), { namespace, remaining, batchSize });
    return { id: Long.fromBigInt(id), firstBatch };
  }

  has(id: Long): boolean {
    return this.cursors.has(id.toString());
  }

  namespaceOf(id: Long): string | undefined {
    return this.cursors.get(id.toString())?.namespace;
  }

  next(id: Long, batchSize: number | undefined): { id: Long; nextBatch: Document[] } {
    const key = id.toString();
    const cursor = this.cursors.get(key);
    if (!cursor) return { id: Long.ZERO, nextBatch: [] };
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
}
