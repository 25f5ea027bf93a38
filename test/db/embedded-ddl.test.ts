import { ObjectId } from "mongodb";
import { describe, expect, it } from "vitest";
import { useDatabase } from "../helpers/lifecycle.js";

const database = useDatabase();

describe("embedded database: collections and databases", () => {
  it("creates, lists and drops collections", async () => {
    await database.db.createCollection("alpha");
    await database.db.collection("beta").insertOne({ x: 1 });
    await expect(database.db.createCollection("alpha")).rejects.toMatchObject({ code: 48 });
    const names = (await database.db.listCollections({}, { nameOnly: true }).toArray())
      .map((entry) => entry.name)
      .sort();
    expect(names).toEqual(["alpha", "beta"]);
    const filtered = await database.db.listCollections({ name: "beta" }).toArray();
    expect(filtered.map((entry) => entry.name)).toEqual(["beta"]);
    expect(await database.db.collection("alpha").drop()).toBe(true);
    expect((await database.db.listCollections().toArray()).map((entry) => entry.name)).toEqual(["beta"]);
  });

  it("lists databases and drops one", async () => {
    const other = database.client.db(`${database.mongo.databaseName}_other`);
    await other.collection("c").insertOne({ x: 1 });
    const { databases } = await database.client.db("admin").admin().listDatabases();
    expect(databases.map((entry) => entry.name)).toContain(`${database.mongo.databaseName}_other`);
    await other.dropDatabase();
    const after = await database.client.db("admin").admin().listDatabases({ nameOnly: true });
    expect(after.databases.map((entry) => entry.name)).not.toContain(`${database.mongo.databaseName}_other`);
  });

  it("answers ping, hello and buildInfo", async () => {
    expect(await database.db.command({ ping: 1 })).toMatchObject({ ok: 1 });
    const hello = await database.db.command({ hello: 1 });
    expect(hello).toMatchObject({ ok: 1, isWritablePrimary: true });
    expect(typeof hello.maxWireVersion).toBe("number");
    const info = await database.db.admin().buildInfo();
    expect(info.versionArray).toHaveLength(4);
  });

  it("answers an unknown command with CommandNotFound and keeps serving", async () => {
    await expect(database.db.command({ frobnicate: 1 })).rejects.toMatchObject({ code: 59 });
    expect(await database.db.collection(`after_${new ObjectId().toHexString()}`).countDocuments()).toBe(0);
  });
});
