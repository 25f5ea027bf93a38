import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withCompactionLease } from "../../src/cluster/compaction-lease.js";
import { RedisConnections } from "../../src/cluster/redis.js";
import type { DocumentStore } from "../../src/collab/storage.js";
import { startRedis, type TestRedis } from "../helpers/redis.js";

/** A store whose compactions finish only when the test says so, counting those that ran. */
function slowStore() {
  const finishers: Array<() => void> = [];
  const store: DocumentStore & { compactions: number } = {
    compactions: 0,
    load: async () => ({ updates: [], bindings: [] }),
    append: async () => undefined,
    remove: async () => undefined,
    logLength: async () => 0,
    compact(_documentId, merge) {
      store.compactions++;
      merge([]);
      return new Promise((resolve) => finishers.push(resolve));
    },
  };
  const finishAll = () => {
    for (const finish of finishers.splice(0)) finish();
  };
  return { store, finishAll };
}

let redis: TestRedis;
let connections: RedisConnections[] = [];
const connect = async () => {
  const connection = await RedisConnections.connect(redis.url, pino({ level: "silent" }));
  connections.push(connection);
  return connection;
};

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await Promise.all(connections.map((connection) => connection.close()));
  connections = [];
  await redis.stop();
});

describe("one compaction of a document at a time across the cluster", () => {
  it("lets a second node skip a document another node is compacting, and compact it once that is done", async () => {
    const shared = slowStore();
    const nodeA = withCompactionLease(shared.store, await connect(), "a");
    const nodeB = withCompactionLease(shared.store, await connect(), "b");
    const merge = () => new Uint8Array([0]);

    const first = nodeA.compact("doc-1", merge);
    await expect.poll(() => shared.store.compactions).toBe(1);
    // Skipped, not queued: A folds in what B stored before A read.
    await nodeB.compact("doc-1", merge);
    expect(shared.store.compactions).toBe(1);
    // Another document is not held up.
    const other = nodeB.compact("doc-2", merge);
    await expect.poll(() => shared.store.compactions).toBe(2);

    shared.finishAll();
    await Promise.all([first, other]);
    const again = nodeB.compact("doc-1", merge);
    await expect.poll(() => shared.store.compactions).toBe(3);
    shared.finishAll();
    await again;
  });

  it("releases the lease when a compaction fails", async () => {
    const failing: DocumentStore = {
      ...slowStore().store,
      compact: async () => {
        throw new Error("the database went away");
      },
    };
    const connection = await connect();
    const node = withCompactionLease(failing, connection, "a");
    await expect(node.compact("doc-3", () => new Uint8Array())).rejects.toThrow("the database went away");
    await expect.poll(() => connection.commands.exists("collab:compacting:doc-3")).toBe(0);
    const shared = slowStore();
    const other = withCompactionLease(shared.store, await connect(), "b");
    const done = other.compact("doc-3", () => new Uint8Array());
    await expect.poll(() => shared.store.compactions).toBe(1);
    shared.finishAll();
    await done;
  });

  it("compacts without a lease when Redis hangs, rather than waiting for it", async () => {
    const shared = slowStore();
    const node = withCompactionLease(shared.store, await connect(), "a");
    redis.pause();
    try {
      const done = node.compact("doc-5", () => new Uint8Array());
      await expect.poll(() => shared.store.compactions, { timeout: 5_000 }).toBe(1);
      shared.finishAll();
      await done;
    } finally {
      redis.resume();
    }
  });

  it("compacts anyway while Redis is away: the store's compare-and-set keeps it safe", async () => {
    const shared = slowStore();
    const node = withCompactionLease(shared.store, await connect(), "a");
    await redis.kill();
    try {
      const done = node.compact("doc-4", () => new Uint8Array());
      await expect.poll(() => shared.store.compactions).toBe(1);
      shared.finishAll();
      await done;
    } finally {
      await redis.restart();
    }
  });
});
