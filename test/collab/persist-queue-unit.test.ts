import { describe, expect, it } from "vitest";
import { PersistQueue } from "../../src/collab/persistence.js";
import type { DocumentStore, StoredUpdate } from "../../src/collab/storage.js";

/** A store in memory that records what it was asked; `skipCompactions`: another node holds the lease. */
function fakeStore(skipCompactions = false) {
  const appended: StoredUpdate[][] = [];
  let compactions = 0;
  const store: DocumentStore = {
    load: async () => ({ updates: [], bindings: [] }),
    async append(_documentId, updates) {
      appended.push([...updates]);
    },
    async compact(_documentId, merge) {
      compactions++;
      if (!skipCompactions) merge([new Uint8Array([1])]);
    },
    remove: async () => undefined,
    logLength: async () => 0,
  };
  return { store, appended, compactions: () => compactions };
}

const silent = { warn: () => undefined };
const merge = () => new Uint8Array([0]);
const update = (byte: number) => new Uint8Array([byte]);

describe("PersistQueue", () => {
  it("stores the updates of one turn in one append, and resolves each once it is stored", async () => {
    const fake = fakeStore();
    const queue = new PersistQueue(fake.store, "doc", 100, merge, silent);
    await Promise.all([queue.enqueue(update(1)), queue.enqueue(update(2)), queue.enqueue(update(3))]);
    expect(fake.appended.map((batch) => batch.length)).toEqual([3]);
  });

  it("counts what other nodes stored in the same log towards compaction", async () => {
    const fake = fakeStore();
    const queue = new PersistQueue(fake.store, "doc", 5, merge, silent);
    await queue.enqueue(update(1));
    await queue.enqueue(update(2));
    for (let i = 0; i < 2; i++) queue.countStoredElsewhere(1);
    expect(fake.compactions()).toBe(0);
    queue.countStoredElsewhere(1);
    await expect.poll(fake.compactions).toBe(1);
  });

  it("starts counting afresh after a compaction the store skipped (another node compacted)", async () => {
    const fake = fakeStore(true);
    const queue = new PersistQueue(fake.store, "doc", 3, merge, silent);
    for (let i = 0; i < 3; i++) queue.countStoredElsewhere(1);
    await expect.poll(fake.compactions).toBe(1);
    await queue.flush();
    await new Promise((resolve) => setImmediate(resolve));
    queue.countStoredElsewhere(1);
    queue.countStoredElsewhere(1);
    expect(fake.compactions()).toBe(1);
    queue.countStoredElsewhere(1);
    await expect.poll(fake.compactions).toBe(2);
  });
});
