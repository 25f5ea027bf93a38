import { type Collection, type Db, ObjectId } from "mongodb";
import { beforeEach, describe, expect, it } from "vitest";
import { useDatabase } from "../helpers/lifecycle.js";
import { serverErrorCode } from "../helpers/mongo.js";

/**
 * Pipelines that write (`$out`, `$merge`) and pipelines that make their own documents (`aggregate: 1` with
 * `$documents`), through the official driver; expected values are MongoDB 7's documented ones.
 */
const database = useDatabase();
let db: Db;
let source: Collection;
let target: Collection;
beforeEach(async () => {
  db = database.db;
  const suffix = new ObjectId().toHexString();
  source = db.collection(`source_${suffix}`);
  target = db.collection(`target_${suffix}`);
  await source.insertMany([
    { _id: 1 as never, team: "a", n: 1 },
    { _id: 2 as never, team: "b", n: 2 },
    { _id: 3 as never, team: "a", n: 3 },
  ]);
});

const totals = [{ $group: { _id: "$team", total: { $sum: "$n" } } }, { $sort: { _id: 1 } }];

describe("$out", () => {
  it("replaces the target's documents with the results, keeping its indexes, and returns none", async () => {
    await target.insertOne({ _id: "old" as never });
    await target.createIndex({ total: 1 }, { name: "by_total" });
    expect(await source.aggregate([...totals, { $out: target.collectionName }]).toArray()).toEqual([]);
    expect(await target.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: "a", total: 4 },
      { _id: "b", total: 2 },
    ]);
    expect((await target.indexes()).map((index) => index.name)).toContain("by_total");
  });

  it("leaves the target as it was when the results break a unique index", async () => {
    await target.insertOne({ _id: "old" as never, total: 1 });
    await target.createIndex({ total: 1 }, { unique: true });
    const clash = [{ $project: { total: { $literal: 7 } } }, { $out: target.collectionName }];
    expect(await serverErrorCode(source.aggregate(clash).toArray())).toBe(11000);
    expect(await target.find().toArray()).toEqual([{ _id: "old", total: 1 }]);
  });

  it("is refused anywhere but last (40601)", async () => {
    const misplaced = [{ $out: target.collectionName }, { $match: {} }];
    expect(await serverErrorCode(source.aggregate(misplaced).toArray())).toBe(40601);
  });
});

describe("$merge", () => {
  it("merges into matching documents and inserts the rest by default", async () => {
    await target.insertOne({ _id: "a" as never, total: 0, label: "kept" });
    await source.aggregate([...totals, { $merge: { into: target.collectionName } }]).toArray();
    expect(await target.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: "a", total: 4, label: "kept" },
      { _id: "b", total: 2 },
    ]);
  });

  it("follows whenMatched and whenNotMatched", async () => {
    await target.insertOne({ _id: "a" as never, total: 0, label: "kept" });
    const stage = { into: target.collectionName, whenMatched: "replace", whenNotMatched: "discard" };
    await source.aggregate([...totals, { $merge: stage }]).toArray();
    expect(await target.find().toArray()).toEqual([{ _id: "a", total: 4 }]);
    const failing = { into: target.collectionName, whenMatched: "keepExisting", whenNotMatched: "fail" };
    expect(await serverErrorCode(source.aggregate([...totals, { $merge: failing }]).toArray())).toBe(13113);
  });

  it("runs a whenMatched pipeline with $$new", async () => {
    await target.insertOne({ _id: "a" as never, total: 10 });
    const add = [{ $set: { total: { $add: ["$total", "$$new.total"] } } }];
    await source.aggregate([...totals, { $merge: { into: target.collectionName, whenMatched: add } }]).toArray();
    expect(await target.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: "a", total: 14 },
      { _id: "b", total: 2 },
    ]);
  });

  it("is refused on fields no unique index covers (51183)", async () => {
    const stage = { $merge: { into: target.collectionName, on: "team" } };
    expect(await serverErrorCode(source.aggregate([stage]).toArray())).toBe(51183);
  });
});

describe("aggregate: 1", () => {
  it("runs a pipeline that starts with $documents", async () => {
    const results = await db.aggregate([{ $documents: [{ x: 1 }, { x: 2 }, { x: 3 }] }, { $match: { x: { $gt: 1 } } }]);
    expect(await results.toArray()).toEqual([{ x: 2 }, { x: 3 }]);
  });
});
