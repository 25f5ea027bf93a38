import { describe, expect, it } from "vitest";
import { KnownUpdates } from "../../src/collab/known-updates.js";

const bytes = (...values: number[]) => new Uint8Array(values);

describe("KnownUpdates", () => {
  it("knows an update by its content, not by the array holding it", () => {
    const known = new KnownUpdates(100, () => 1_000);
    known.add(bytes(1, 2, 3));
    expect(known.has(bytes(1, 2, 3))).toBe(true);
    expect(known.has(Buffer.from([1, 2, 3]))).toBe(true);
    expect(known.has(bytes(1, 2, 4))).toBe(false);
    expect(known.has(bytes(1, 2))).toBe(false);
  });

  it("always knows the last generation's worth of updates, and forgets what is older", () => {
    const known = new KnownUpdates(2, () => 1_000);
    for (let i = 0; i < 4; i++) known.add(bytes(i));
    // [0, 1] filled and moved back; [2, 3] filled and replaced it.
    expect(known.has(bytes(0))).toBe(false);
    expect(known.has(bytes(1))).toBe(false);
    expect(known.has(bytes(2))).toBe(true);
    expect(known.has(bytes(3))).toBe(true);
    known.add(bytes(4));
    for (let i = 2; i < 5; i++) expect(known.has(bytes(i))).toBe(true);
  });

  it("starts a new generation once one holds as many bytes as the log may before compaction", () => {
    let logBytes = 4;
    const known = new KnownUpdates(1_000, () => logBytes);
    known.add(bytes(1, 1));
    known.add(bytes(2, 2)); // 4 bytes: full
    known.add(bytes(3, 3, 3, 3)); // 4 bytes: full
    expect(known.has(bytes(1, 1))).toBe(false);
    expect(known.has(bytes(3, 3, 3, 3))).toBe(true);
    // A larger document allows a larger log, and larger generations.
    logBytes = 100;
    known.add(bytes(4));
    known.add(bytes(5));
    known.add(bytes(6));
    expect(known.has(bytes(3, 3, 3, 3))).toBe(true);
    expect(known.has(bytes(4))).toBe(true);
  });
});
