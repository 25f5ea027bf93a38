import { connect, type Socket } from "node:net";
import { BSON, Long, MongoClient } from "mongodb";
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

/** A legacy OP_QUERY on `admin.$cmd`, as drivers send their first handshake. */
function opQuery(requestId: number, command: Record<string, unknown>): Buffer {
  const collection = Buffer.from("admin.$cmd\0");
  const body = BSON.serialize(command);
  const header = Buffer.alloc(16 + 4);
  const tail = Buffer.alloc(8);
  tail.writeInt32LE(0, 0); // numberToSkip
  tail.writeInt32LE(-1, 4); // numberToReturn
  const frame = Buffer.concat([header, collection, tail, body]);
  frame.writeInt32LE(frame.length, 0);
  frame.writeInt32LE(requestId, 4);
  frame.writeInt32LE(0, 8);
  frame.writeInt32LE(2004, 12);
  frame.writeInt32LE(0, 16); // flags
  return frame;
}

describe("embedded database: wire protocol", () => {
  it("answers the legacy OP_QUERY handshake with an OP_REPLY", async () => {
    const socket = await rawConnection();
    const reply = new Promise<Buffer>((resolve) => socket.once("data", (chunk: Buffer) => resolve(chunk)));
    socket.write(opQuery(77, { isMaster: 1, helloOk: true }));
    const frame = await reply;
    expect(frame.readInt32LE(8)).toBe(77); // responseTo
    expect(frame.readInt32LE(12)).toBe(1); // OP_REPLY
    expect(frame.readInt32LE(32)).toBe(1); // numberReturned
    const document = BSON.deserialize(frame.subarray(36));
    expect(document).toMatchObject({ ok: 1, ismaster: true });
    expect(typeof document.maxWireVersion).toBe("number");
    socket.destroy();
  });

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
