import { describe, expect, it } from "vitest";
import { GroupCommit } from "../../src/db/group-commit.js";

/** A write the test finishes by hand, to hold a commit in flight. */
function heldWrites() {
  const writes: Array<{ items: number[]; startedAt: number; finish(error?: Error): void }> = [];
  const waiting: Array<() => void> = [];
  const write = (items: number[]) =>
    new Promise<void>((resolve, reject) => {
      writes.push({ items, startedAt: performance.now(), finish: (error) => (error ? reject(error) : resolve()) });
      for (const wake of waiting.splice(0)) wake();
    });
  const nextWrite = async (index: number) => {
    while (writes.length <= index) await new Promise<void>((wake) => waiting.push(wake));
    return writes[index] as (typeof writes)[number];
  };
  return { writes, write, nextWrite };
}

describe("group commit", () => {
  it("stores what many callers add in one turn with one write, and tells each of them", async () => {
    const { write, nextWrite, writes } = heldWrites();
    const commit = new GroupCommit(write, { windowMs: 1, intervalMs: 0 });
    const added = Array.from({ length: 50 }, (_, i) => commit.add([i, i + 1000]));
    (await nextWrite(0)).finish();
    await Promise.all(added);
    expect(writes).toHaveLength(1);
    expect(writes[0]?.items).toHaveLength(100);
  });

  it("never has two writes in flight: what arrives meanwhile waits and shares the next one", async () => {
    const { write, nextWrite, writes } = heldWrites();
    const commit = new GroupCommit(write, { windowMs: 0, intervalMs: 0 });
    const first = commit.add([1]);
    const inFlight = await nextWrite(0);
    const later = [commit.add([2]), commit.add([3])];
    // A zero-delay timer set now fires after any the commit set before it: a second write would have started.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(writes).toHaveLength(1);
    inFlight.finish();
    await first;
    (await nextWrite(1)).finish();
    await Promise.all(later);
    expect(writes.map((each) => each.items)).toEqual([[1], [2, 3]]);
  });

  it("fails every caller of a failed write, and goes on with the next", async () => {
    const { write, nextWrite } = heldWrites();
    const commit = new GroupCommit(write, { windowMs: 0, intervalMs: 0 });
    const failing = [commit.add([1]), commit.add([2])];
    (await nextWrite(0)).finish(new Error("insert failed"));
    for (const each of failing) await expect(each).rejects.toThrow("insert failed");
    const next = commit.add([3]);
    (await nextWrite(1)).finish();
    await expect(next).resolves.toBeUndefined();
  });

  it("fails its callers when the write throws instead of rejecting", async () => {
    const commit = new GroupCommit<number>(
      () => {
        throw new Error("not connected");
      },
      { windowMs: 0, intervalMs: 0 },
    );
    await expect(commit.add([1])).rejects.toThrow("not connected");
  });

  it("starts writes at least an interval apart", async () => {
    const { write, nextWrite } = heldWrites();
    const commit = new GroupCommit(write, { windowMs: 0, intervalMs: 60 });
    const first = commit.add([1]);
    const firstWrite = await nextWrite(0);
    firstWrite.finish();
    await first;
    const second = commit.add([2]);
    const secondWrite = await nextWrite(1);
    secondWrite.finish();
    await second;
    // Timers never fire early; a millisecond of slack for the two clocks' rounding.
    expect(secondWrite.startedAt - firstWrite.startedAt).toBeGreaterThanOrEqual(59);
  });
});
