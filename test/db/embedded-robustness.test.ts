import { connect, type Socket } from "node:net";
import { BSON, MongoClient } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmbeddedMongoServer } from "../../src/db/embedded/server.js";

/** These test the embedded server itself, so they run against it whatever MONGODB_URI says. */
const server = new EmbeddedMongoServer();
let client: MongoClient;
let port: number;

beforeAll(async () => {
  const uri = await server.start({ partialFrameTimeoutMs: 300 });
  port = Number(new URL(uri).port);
  client = await MongoClient.connect(uri);
});
afterAll(async () => {
  await client.close();
  await server.stop();
});

function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 1 };
  for (let i = 1; i < levels; i++) value = { a: value };
  return value;
}

/** An OP_MSG frame carrying `command`. */
function opMsg(requestId: number, command: Record<string, unknown>): Buffer {
  const body = BSON.serialize(command);
  const header = Buffer.alloc(21);
  header.writeInt32LE(21 + body.length, 0);
  header.writeInt32LE(requestId, 4);
  header.writeInt32LE(0, 8);
  header.writeInt32LE(2013, 12);
  header.writeUInt32LE(0, 16); // flags
  header.writeUInt8(0, 20); // body section
  return Buffer.concat([header, body]);
}

function rawConnection(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => resolve(socket));
    socket.once("error", reject);
  });
}

describe("embedded database: hostile input", () => {
  it("answers a command nested 10,000 levels deep with an error, and keeps serving", async () => {
    const db = client.db("robust");
    await expect(db.command({ find: "c", filter: nested(10_000) })).rejects.toMatchObject({ code: 15 });
    await expect(db.collection("c").insertOne({ deep: nested(10_000) })).rejects.toMatchObject({ code: 15 });
    expect(await db.command({ ping: 1 })).toMatchObject({ ok: 1 });
  });

  it("stores documents nested up to MongoDB's 100 levels, and refuses deeper ones", async () => {
    const collection = client.db("robust").collection("depth");
    await collection.insertOne({ _id: "ok" as never, ...nested(99) });
    await expect(collection.insertOne({ _id: "deep" as never, ...nested(101) })).rejects.toMatchObject({ code: 15 });
    await expect(collection.updateOne({ _id: "ok" as never }, { $set: { b: nested(100) } })).rejects.toMatchObject({
      code: 15,
    });
    expect(await collection.countDocuments()).toBe(1);
  });

  it("assembles a frame trickled in small pieces", async () => {
    const socket = await rawConnection();
    const frame = opMsg(9, { insert: "trickle", documents: [{ blob: "x".repeat(2_000_000) }], $db: "robust" });
    const reply = new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      socket.on("data", (chunk: Buffer) => {
        chunks.push(chunk);
        const all = Buffer.concat(chunks);
        if (all.length >= 4 && all.length >= all.readInt32LE(0)) resolve(all);
      });
    });
    for (let offset = 0; offset < frame.length; offset += 4096) socket.write(frame.subarray(offset, offset + 4096));
    const answer = await reply;
    expect(answer.readInt32LE(8)).toBe(9);
    expect(BSON.deserialize(answer.subarray(21))).toMatchObject({ ok: 1, n: 1 });
    socket.destroy();
  });

  it("closes a connection that leaves a frame unfinished, and only such a one", async () => {
    const idle = await rawConnection();
    const stuck = await rawConnection();
    stuck.write(opMsg(1, { ping: 1, $db: "admin" }).subarray(0, 10));
    await new Promise<void>((resolve) => stuck.once("close", () => resolve()));
    expect(idle.destroyed).toBe(false);
    idle.destroy();
  });
});
