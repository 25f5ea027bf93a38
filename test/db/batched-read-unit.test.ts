import { describe, expect, it } from "vitest";
import { BatchedRead } from "../../src/db/batched-read.js";

/** A read the test completes by hand, recording the keys of each call. */
function manualRead() {
  const calls: Array<{ keys: string[]; finish(values: Record<string, number>): void; fail(error: Error): void }> = [];
  const read = (keys: string[]) =>
    new Promise<Map<string, number>>((resolve, reject) => {
      calls.push({
        keys,
        finish: (values) => resolve(new Map(Object.entries(values))),
        fail: reject,
      });
    });
  return { calls, read };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

async function until(condition: () => boolean) {
  while (!condition()) await turn();
}

describe("BatchedRead", () => {
  it("reads the lookups of one turn together, each key once", async () => {
    const { calls, read } = manualRead();
    const batched = new BatchedRead(read, (key: string) => key);
    const lookups = [batched.load("a"), batched.load("b"), batched.load("a")];
    await turn();
    expect(calls.map((call) => call.keys)).toEqual([["a", "b"]]);
    calls[0]?.finish({ a: 1 });
    expect(await Promise.all(lookups)).toEqual([1, undefined, 1]);
  });

  it("never answers a lookup with a read that started before it was asked", async () => {
    const { calls, read } = manualRead();
    const batched = new BatchedRead(read, (key: string) => key);
    const first = batched.load("a");
    await turn();
    // Asked while the first read is in flight: it waits for a read of its own, with whatever else arrived meanwhile.
    const second = batched.load("a");
    const third = batched.load("c");
    await turn();
    expect(calls).toHaveLength(1);
    calls[0]?.finish({ a: 1 });
    expect(await first).toBe(1);
    await until(() => calls.length === 2);
    expect(calls.map((call) => call.keys)).toEqual([["a"], ["a", "c"]]);
    calls[1]?.finish({ a: 2, c: 3 });
    expect(await Promise.all([second, third])).toEqual([2, 3]);
  });

  it("fails every lookup of a failed read, and reads again for the next ones", async () => {
    const { calls, read } = manualRead();
    const batched = new BatchedRead(read, (key: string) => key);
    const failed = [batched.load("a"), batched.load("b")];
    await turn();
    calls[0]?.fail(new Error("database unreachable"));
    for (const lookup of failed) await expect(lookup).rejects.toThrow("database unreachable");
    const next = batched.load("a");
    await until(() => calls.length === 2);
    calls[1]?.finish({ a: 1 });
    expect(await next).toBe(1);
  });

  it("fails its lookups when the read throws instead of rejecting", async () => {
    const batched = new BatchedRead<string, number>(() => {
      throw new Error("thrown");
    }, String);
    await expect(batched.load("a")).rejects.toThrow("thrown");
  });
});
