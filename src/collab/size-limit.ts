import { AppError } from "../errors.js";

/** A full measurement of the document (encoding it whole) runs at most this often near the limit. */
const MEASURE_INTERVAL_MS = 1000;

/**
 * Keeps a document under `limitBytes` of encoded state without encoding it
 * at every change: an upper bound of its size grows by each stored change
 * (deletions shrink the real size, never the bound), and only when a change
 * could pass the limit is the real size measured, at most once a second.
 */
export class SizeLimit {
  private bound = 0;
  private measuredAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly limitBytes: number,
    /** The document's encoded size, exactly (costly: it encodes the whole document). */
    private readonly measure: () => number,
  ) {}

  /** The document's encoded size, at most: exact after a load, a compaction or a measurement, then grown by changes. */
  get bytes(): number {
    return this.bound;
  }

  /** The size is known exactly: after a load or a compaction. */
  reset(bytes: number): void {
    this.bound = bytes;
  }

  grew(bytes: number): void {
    this.bound += bytes;
  }

  /** TOO_LARGE when a change of `incomingBytes` could take the document past the limit. */
  check(incomingBytes: number): void {
    if (this.bound + incomingBytes <= this.limitBytes) return;
    const now = Date.now();
    if (now - this.measuredAt >= MEASURE_INTERVAL_MS) {
      this.measuredAt = now;
      this.bound = this.measure();
    }
    if (this.bound + incomingBytes > this.limitBytes) {
      throw new AppError("TOO_LARGE", `the document would grow past its limit of ${this.limitBytes} bytes`);
    }
  }
}
