import { connect, type Socket } from "node:net";
import { Long, MongoClient } from "mongodb";
import { describe, expect, it } from "vitest";
import { useDatabase } from "../helpers/lifecycle.js";

const database = useDatabase();

function rawConnection(): Promise<Socket> {
  const url = new URL(database.mongo.uri);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => resolve(socket));
    socket.once("error", reject);
  });
}

function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve();
    socket.once("close", () => resolve());
  });
}

describe("embedded database: wire protocol", () => {
  it("closes only the connection that sent a malformed frame", async () => {
    const socket = await rawConnection();
    socket.on("error", () => {});
    const frame = Buffer.alloc(32, 0xab);
    frame.writeInt32LE(32, 0); // a plausible length with garbage inside
    frame.writeInt32LE(2013, 12);
    socket.write(frame);
    await closed(socket);
    expect(await database.db.command({ ping: 1 })).toMatchObject({ ok: 1 });
  });

  it("closes a connection that announces an impossible message length", async () => {
    const socket = await rawConnection();
    socket.on("error", () => {});
    const frame = Buffer.alloc(16);
    frame.writeInt32LE(-5, 0);
    socket.write(frame);
    await closed(socket);
    expect(await database.db.command({ ping: 1 })).toMatchObject({ ok: 1 });
  });

  it("performs unacknowledged writes (moreToCome) without replying", async () => {
    const fireAndForget = database.db.collection("unacknowledged", { writeConcern: { w: 0 } });
    await fireAndForget.insertOne({ n: 1 });
    await fireAndForget.insertOne({ n: 2 });
    // A later acknowledged command on the same pool is ordered after the writes.
    const deadline = Date.now() + 5000;
    while ((await database.db.collection("unacknowledged").countDocuments()) < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await database.db.collection("unacknowledged").countDocuments()).toBe(2);
  });

  it("refuses transaction numbers as a standalone does", async () => {
    await expect(
      database.db.command({
        insert: "txn",
        documents: [{ a: 1 }],
        txnNumber: Long.fromNumber(1),
        autocommit: false,
        startTransaction: true,
      }),
    ).rejects.toMatchObject({ code: 20 });
  });

  it("serves many connections at once", async () => {
    const clients = await Promise.all(Array.from({ length: 25 }, () => MongoClient.connect(database.mongo.uri)));
    try {
      await Promise.all(
        clients.map((each, i) => each.db(database.mongo.databaseName).collection("many").insertOne({ client: i })),
      );
      expect(await database.db.collection("many").countDocuments()).toBe(25);
    } finally {
      await Promise.all(clients.map((each) => each.close()));
    }
  });
});
