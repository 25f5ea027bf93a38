import { type Db, MongoClient, ObjectId } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestMongo, type TestMongo } from "../helpers/mongo.js";

let mongo: TestMongo;
let client: MongoClient;
let db: Db;

beforeAll(async () => {
  mongo = await startTestMongo();
  client = await MongoClient.connect(mongo.uri);
  db = client.db(mongo.databaseName);
});
afterAll(async () => {
  await client?.close();
  await mongo?.stop();
});

describe("embedded database: collections and databases", () => {
  it("creates, lists and drops collections", async () => {
    await db.createCollection("alpha");
    await db.collection("beta").insertOne({ x: 1 });
    await expect(db.createCollection("alpha")).rejects.toMatchObject({ code: 48 });
    const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((entry) => entry.name).sort();
    expect(names).toEqual(["alpha", "beta"]);
    const filtered = await db.listCollections({ name: "beta" }).toArray();
    expect(filtered.map((entry) => entry.name)).toEqual(["beta"]);
    expect(await db.collection("alpha").drop()).toBe(true);
    expect((await db.listCollections().toArray()).map((entry) => entry.name)).toEqual(["beta"]);
  });

  it("lists databases and drops one", async () => {
    const other = client.db(`${mongo.databaseName}_other`);
    await other.collection("c").insertOne({ x: 1 });
    const { databases } = await client.db("admin").admin().listDatabases();
    expect(databases.map((entry) => entry.name)).toContain(`${mongo.databaseName}_other`);
    await other.dropDatabase();
    const after = await client.db("admin").admin().listDatabases({ nameOnly: true });
    expect(after.databases.map((entry) => entry.name)).not.toContain(`${mongo.databaseName}_other`);
  });

  it("answers ping, hello and buildInfo", async () => {
    expect(await db.command({ ping: 1 })).toMatchObject({ ok: 1 });
    const hello = await db.command({ hello: 1 });
    expect(hello).toMatchObject({ ok: 1, isWritablePrimary: true });
    expect(typeof hello.maxWireVersion).toBe("number");
    const info = await db.admin().buildInfo();
    expect(info.versionArray).toHaveLength(4);
  });

  it("answers an unknown command with CommandNotFound and keeps serving", async () => {
    await expect(db.command({ frobnicate: 1 })).rejects.toMatchObject({ code: 59 });
    expect(await db.collection(`after_${new ObjectId().toHexString()}`).countDocuments()).toBe(0);
  });
});
