import { type Collection, MongoBulkWriteError, ObjectId } from "mongodb";
import { beforeEach, describe, expect, it } from "vitest";
import { useDatabase } from "../helpers/lifecycle.js";

const database = useDatabase({ maxPoolSize: 20 });
let items: Collection;
beforeEach(async () => {
  items = database.db.collection(`indexed_${new ObjectId().toHexString()}`);
});

describe("embedded database: indexes", () => {
  it("creates, lists and drops indexes", async () => {
    await items.createIndex({ email: 1 }, { unique: true });
    await items.createIndex({ a: 1, b: -1 }, { name: "ab" });
    const names = (await items.listIndexes().toArray()).map((index) => index.name).sort();
    expect(names).toEqual(["_id_", "ab", "email_1"]);
    await items.dropIndex("ab");
    expect((await items.listIndexes().toArray()).map((index) => index.name).sort()).toEqual(["_id_", "email_1"]);
    await expect(items.dropIndex("nope")).rejects.toMatchObject({ code: 27 });
    await expect(database.db.collection("no_such_collection").listIndexes().toArray()).rejects.toMatchObject({
      code: 26,
    });
  });

  it("refuses conflicting index definitions", async () => {
    await items.createIndex({ a: 1 }, { name: "by_a" });
    await expect(items.createIndex({ b: 1 }, { name: "by_a" })).rejects.toMatchObject({ code: 86 });
    await expect(items.createIndex({ a: 1 }, { name: "by_a", unique: true })).rejects.toMatchObject({ code: 85 });
    expect(await items.createIndex({ a: 1 }, { name: "by_a" })).toBe("by_a");
  });

  it("enforces a unique index with keyPattern and keyValue in the error", async () => {
    await items.createIndex({ email: 1 }, { unique: true });
    await items.insertOne({ email: "a@x" });
    const error = await items.insertOne({ email: "a@x" }).catch((caught) => caught);
    expect(error).toMatchObject({ code: 11000, keyPattern: { email: 1 }, keyValue: { email: "a@x" } });
    await items.insertOne({ email: "b@x" });
    await expect(items.updateOne({ email: "b@x" }, { $set: { email: "a@x" } })).rejects.toMatchObject({ code: 11000 });
    expect(await items.countDocuments({ email: "b@x" })).toBe(1);
  });

  it("enforces compound unique indexes on the combination only", async () => {
    await items.createIndex({ project: 1, user: 1 }, { unique: true });
    await items.insertOne({ project: 1, user: "a" });
    await items.insertOne({ project: 1, user: "b" });
    await items.insertOne({ project: 2, user: "a" });
    const error = await items.insertOne({ project: 1, user: "a" }).catch((caught) => caught);
    expect(error).toMatchObject({
      code: 11000,
      keyPattern: { project: 1, user: 1 },
      keyValue: { project: 1, user: "a" },
    });
  });

  it("lets sparse and partial unique indexes skip documents they do not cover", async () => {
    await items.createIndex({ nick: 1 }, { unique: true, sparse: true });
    await items.insertMany([{ a: 1 }, { a: 2 }]);
    await items.insertOne({ nick: "n" });
    await expect(items.insertOne({ nick: "n" })).rejects.toMatchObject({ code: 11000 });

    const partial = database.db.collection(`partial_${new ObjectId().toHexString()}`);
    await partial.createIndex({ slug: 1 }, { unique: true, partialFilterExpression: { live: true } });
    await partial.insertMany([
      { slug: "s", live: false },
      { slug: "s", live: false },
      { slug: "s", live: true },
    ]);
    await expect(partial.insertOne({ slug: "s", live: true })).rejects.toMatchObject({ code: 11000 });
  });

  it("honours ordered and unordered bulk inserts", async () => {
    await items.createIndex({ k: 1 }, { unique: true });
    const ordered = await items.insertMany([{ k: 1 }, { k: 1 }, { k: 2 }]).catch((caught) => caught);
    expect(ordered).toBeInstanceOf(MongoBulkWriteError);
    expect(ordered.insertedCount).toBe(1);
    expect(await items.countDocuments()).toBe(1);

    const unordered = await items
      .insertMany([{ k: 3 }, { k: 1 }, { k: 4 }], { ordered: false })
      .catch((caught) => caught);
    expect(unordered).toBeInstanceOf(MongoBulkWriteError);
    expect(unordered.insertedCount).toBe(2);
    expect(unordered.writeErrors).toHaveLength(1);
    expect((await items.find({}).sort({ k: 1 }).toArray()).map((doc) => doc.k)).toEqual([1, 3, 4]);
  });

  it("lets exactly one of many concurrent inserts of the same key win", async () => {
    await items.createIndex({ email: 1 }, { unique: true });
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => items.insertOne({ email: "same@x" })));
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    const failures = results.filter((result) => result.status === "rejected");
    expect(failures).toHaveLength(19);
    for (const failure of failures) expect((failure as PromiseRejectedResult).reason).toMatchObject({ code: 11000 });
  });

  it("rejects a duplicate _id", async () => {
    await items.insertOne({ _id: "one" as never });
    await expect(items.insertOne({ _id: "one" as never })).rejects.toMatchObject({
      code: 11000,
      keyPattern: { _id: 1 },
    });
  });

  it("refuses to build a unique index over duplicates", async () => {
    await items.insertMany([{ k: 1 }, { k: 1 }]);
    await expect(items.createIndex({ k: 1 }, { unique: true })).rejects.toMatchObject({ code: 11000 });
  });

  it("finds through a multikey index on a field of array elements", async () => {
    await items.createIndex({ "members.user": 1 });
    await items.insertMany([
      { name: "p1", members: [{ user: "a" }, { user: "b" }] },
      { name: "p2", members: [{ user: "b" }] },
      { name: "p3", members: [] },
    ]);
    const found = await items.find({ "members.user": "b" }).sort({ name: 1 }).toArray();
    expect(found.map((doc) => doc.name)).toEqual(["p1", "p2"]);
    expect(await items.countDocuments({ "members.user": "a", name: "p1" })).toBe(1);
  });
});
