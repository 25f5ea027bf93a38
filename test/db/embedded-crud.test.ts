import { type Collection, ObjectId } from "mongodb";
import { beforeEach, describe, expect, it } from "vitest";
import { useDatabase } from "../helpers/lifecycle.js";

const database = useDatabase();
let items: Collection;
beforeEach(async () => {
  items = database.db.collection(`items_${new ObjectId().toHexString()}`);
});

describe("embedded database: reads and writes through the official driver", () => {
  it("inserts and finds with filter, sort, projection, skip and limit", async () => {
    await items.insertMany([
      { _id: 1 as never, name: "c", score: 30, tags: ["x"] },
      { _id: 2 as never, name: "a", score: 10, tags: ["y"] },
      { _id: 3 as never, name: "b", score: 20, tags: ["x", "y"] },
    ]);
    const found = await items
      .find({ score: { $gte: 10 }, tags: "x" }, { projection: { name: 1, _id: 0 } })
      .sort({ name: 1 })
      .toArray();
    expect(found).toEqual([{ name: "b" }, { name: "c" }]);
    const page = await items.find({}, { sort: { score: -1 }, skip: 1, limit: 1 }).toArray();
    expect(page.map((doc) => doc._id)).toEqual([3]);
    expect(await items.findOne({ _id: 2 as never })).toMatchObject({ name: "a" });
  });

  it("serves results larger than one batch through getMore, and kills cursors", async () => {
    await items.insertMany(Array.from({ length: 250 }, (_, i) => ({ n: i })));
    const all = await items.find({}, { batchSize: 20 }).sort({ n: 1 }).toArray();
    expect(all.map((doc) => doc.n)).toEqual(Array.from({ length: 250 }, (_, i) => i));

    const opened = await database.db.command({ find: items.collectionName, filter: {}, batchSize: 10 });
    expect(opened.cursor.firstBatch).toHaveLength(10);
    const killed = await database.db.command({ killCursors: items.collectionName, cursors: [opened.cursor.id] });
    expect(killed.cursorsKilled.map(String)).toEqual([String(opened.cursor.id)]);
    await expect(
      database.db.command({ getMore: opened.cursor.id, collection: items.collectionName }),
    ).rejects.toMatchObject({
      code: 43,
    });

    const limited = await items.find({}).sort({ n: 1 }).limit(150).batchSize(40).toArray();
    expect(limited).toHaveLength(150);
    expect(limited.at(-1)?.n).toBe(149);
  });

  it("rejects getMore on a cursor that does not exist", async () => {
    await expect(
      database.db.command({ getMore: 123456789n as never, collection: items.collectionName }),
    ).rejects.toMatchObject({
      code: 43,
    });
  });

  it("counts, estimates and lists distinct values", async () => {
    await items.insertMany([{ kind: "a", tags: [1, 2] }, { kind: "b", tags: [2, 3] }, { kind: "a" }]);
    expect(await items.countDocuments({ kind: "a" })).toBe(2);
    expect(await items.countDocuments({}, { skip: 1, limit: 1 })).toBe(1);
    expect(await items.estimatedDocumentCount()).toBe(3);
    expect((await items.distinct("kind")).sort()).toEqual(["a", "b"]);
    expect((await items.distinct("tags")).sort()).toEqual([1, 2, 3]);
    expect(await database.db.command({ count: items.collectionName, query: { kind: "b" } })).toMatchObject({ n: 1 });
  });

  it("aggregates with $match, $group, $sort, $project and $limit", async () => {
    await items.insertMany([
      { team: "red", points: 3 },
      { team: "blue", points: 5 },
      { team: "red", points: 4 },
      { team: "green", points: 1 },
    ]);
    const totals = await items
      .aggregate([
        { $match: { points: { $gt: 1 } } },
        { $group: { _id: "$team", total: { $sum: "$points" } } },
        { $sort: { total: -1 } },
        { $project: { _id: 0, team: "$_id", total: 1 } },
        { $limit: 1 },
      ])
      .toArray();
    expect(totals).toEqual([{ team: "red", total: 7 }]);
  });

  it("deletes one or many", async () => {
    await items.insertMany([{ k: 1 }, { k: 1 }, { k: 2 }]);
    expect((await items.deleteOne({ k: 1 })).deletedCount).toBe(1);
    expect((await items.deleteMany({ k: { $in: [1, 2] } })).deletedCount).toBe(2);
    expect(await items.countDocuments()).toBe(0);
  });

  it("reads nothing from a collection that does not exist", async () => {
    const missing = database.db.collection("never_written");
    expect(await missing.find({}).toArray()).toEqual([]);
    expect(await missing.countDocuments()).toBe(0);
    expect((await missing.deleteMany({})).deletedCount).toBe(0);
  });
});
