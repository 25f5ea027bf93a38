import { hash } from "node:crypto";

/**
 * The stored updates a document's Y.Doc is known to hold in full, by
 * content: those this node stored, and those its peers stored and it
 * applied without a gap. Compaction reads the whole log back, and Yjs
 * decodes every struct of an update before finding it already has them
 * (some 30 µs for one keystroke): thousands of records blocked the event
 * loop, and every relay behind it, for 100 ms and more. Records known here
 * are skipped instead.
 *
 * Memory stays bounded: a generation is dropped once a newer one fills, so
 * it holds one compaction's worth of records at least, two at most. A
 * record older than that is folded already, or, if not, simply applied:
 * never skipping something unknown is what keeps this correct. Keys are
 * SHA-256 digests, so a crafted update cannot pass for another.
 */
export class KnownUpdates {
  private current = new Set<string>();
  private previous = new Set<string>();
  private currentBytes = 0;

  constructor(
    private readonly generationRecords: number,
    /** Read at each addition: the document's size, which the log may reach before compaction. */
    private readonly generationBytes: () => number,
  ) {}

  add(update: Uint8Array): void {
    this.current.add(keyOf(update));
    this.currentBytes += update.byteLength;
    if (this.current.size >= this.generationRecords || this.currentBytes >= this.generationBytes()) {
      this.previous = this.current;
      this.current = new Set();
      this.currentBytes = 0;
    }
  }

  has(update: Uint8Array): boolean {
    const key = keyOf(update);
    return this.current.has(key) || this.previous.has(key);
  }
}

function keyOf(update: Uint8Array): string {
  return hash("sha256", update, "base64");
}
