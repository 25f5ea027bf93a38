import { type Collection, ObjectId } from "mongodb";
import { beforeEach, describe, expect, it } from "vitest";
import { useDatabase } from "../helpers/lifecycle.js";

const database = useDatabase();
let items: Collection;
beforeEach(async () => {
  items = database.db.collection(`updates_${new ObjectId().toHexString()}`);
});

describe("embedded database: updates, upserts and findAndModify", () => {
  it("updates one or many with operators and reports matched and modified counts", async () => {
    await items.insertMany([
      { k: 1, n: 0 },
      { k: 1, n: 0 },
      { k: 2, n: 0 },
    ]);
    const one = await items.updateOne({ k: 1 }, { $inc: { n: 1 } });
    expect(one).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
    const many = await items.updateMany({ k: 1 }, { $set: { flag: true } });
    expect(many).toMatchObject({ matchedCount: 2, modifiedCount: 2 });
    const unchanged = await items.updateMany({ k: 1 }, { $set: { flag: true } });
    expect(unchanged).toMatchObject({ matchedCount: 2, modifiedCount: 0 });
    expect(await items.countDocuments({ flag: true })).toBe(2);
  });

  it("upserts seeding the filter's equalities and applying $setOnInsert only on insert", async () => {
    const first = await items.updateOne(
      { email: "a@x", "profile.kind": "user" },
      { $set: { name: "A" }, $setOnInsert: { created: 1 } },
      { upsert: true },
    );
    expect(first.upsertedCount).toBe(1);
    const stored = await items.findOne({ _id: first.upsertedId as ObjectId });
    expect(stored).toMatchObject({ email: "a@x", profile: { kind: "user" }, name: "A", created: 1 });

    const second = await items.updateOne(
      { email: "a@x" },
      { $set: { name: "B" }, $setOnInsert: { created: 2 } },
      { upsert: true },
    );
    expect(second).toMatchObject({ matchedCount: 1, upsertedCount: 0 });
    expect(await items.findOne({ email: "a@x" })).toMatchObject({ name: "B", created: 1 });
  });

  it("applies arrayFilters", async () => {
    const { insertedId } = await items.insertOne({ grades: [{ v: 50 }, { v: 95 }, { v: 99 }] });
    await items.updateOne(
      { _id: insertedId },
      { $set: { "grades.$[g].top": true } },
      { arrayFilters: [{ "g.v": { $gte: 95 } }] },
    );
    const stored = await items.findOne({ _id: insertedId });
    expect(stored?.grades).toEqual([{ v: 50 }, { v: 95, top: true }, { v: 99, top: true }]);
  });

  it("replaces whole documents, keeping _id, and refuses to change _id", async () => {
    const { insertedId } = await items.insertOne({ a: 1, b: 2 });
    await items.replaceOne({ _id: insertedId }, { c: 3 });
    expect(await items.findOne({ _id: insertedId })).toEqual({ _id: insertedId, c: 3 });
    await expect(items.updateOne({ _id: insertedId }, { $set: { _id: new ObjectId() } })).rejects.toMatchObject({
      code: 66,
    });
    const upserted = await items.replaceOne({ _id: "fixed" as never }, { d: 4 }, { upsert: true });
    expect(upserted.upsertedId).toBe("fixed");
  });

  it("findOneAndUpdate returns the document before or after, with projection and sort", async () => {
    await items.insertMany([
      { k: "x", n: 1 },
      { k: "x", n: 2 },
    ]);
    const before = await items.findOneAndUpdate(
      { k: "x" },
      { $inc: { n: 10 } },
      { sort: { n: -1 }, returnDocument: "before" },
    );
    expect(before).toMatchObject({ n: 2 });
    const after = await items.findOneAndUpdate(
      { k: "x" },
      { $inc: { n: 100 } },
      { sort: { n: 1 }, returnDocument: "after", projection: { _id: 0, n: 1 } },
    );
    expect(after).toEqual({ n: 101 });
    const missing = await items.findOneAndUpdate({ k: "nope" }, { $set: { n: 0 } });
    expect(missing).toBeNull();
  });

  it("findOneAndUpdate upserts, findOneAndReplace and findOneAndDelete work", async () => {
    const created = await items.findOneAndUpdate(
      { k: "new" },
      { $set: { n: 1 }, $setOnInsert: { first: true } },
      { upsert: true, returnDocument: "after" },
    );
    expect(created).toMatchObject({ k: "new", n: 1, first: true });
    const replaced = await items.findOneAndReplace({ k: "new" }, { k: "new", n: 2 }, { returnDocument: "after" });
    expect(replaced).toMatchObject({ k: "new", n: 2 });
    expect(replaced).not.toHaveProperty("first");
    const removed = await items.findOneAndDelete({ k: "new" });
    expect(removed).toMatchObject({ n: 2 });
    expect(await items.countDocuments()).toBe(0);
  });

  it("reports a bad update operator as an error reply", async () => {
    await items.insertOne({ a: 1 });
    await expect(items.updateOne({}, { $frobnicate: { a: 1 } } as never)).rejects.toMatchObject({
      name: "MongoServerError",
    });
  });
});
