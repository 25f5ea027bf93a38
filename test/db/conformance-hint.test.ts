import { type Collection, ObjectId } from "mongodb";
import { beforeEach, describe, expect, it } from "vitest";
import { useDatabase } from "../helpers/lifecycle.js";
import { serverErrorCode } from "../helpers/mongo.js";

/** `hint` on reads and writes, through the official driver: MongoDB 7 refuses one that names no index (BadValue, 2). */
const database = useDatabase();
let items: Collection;
beforeEach(async () => {
  items = database.db.collection(`hint_${new ObjectId().toHexString()}`);
  await items.insertMany([{ v: 1 }, { v: 2 }]);
  await items.createIndex({ v: 1 }, { name: "by_v" });
});

const codeOf = serverErrorCode;

describe("hint", () => {
  it("is followed when it names an index, by name, by key pattern or as $natural", async () => {
    expect(await items.find({ v: 1 }, { hint: "by_v" }).toArray()).toHaveLength(1);
    expect(await items.find({ v: 1 }, { hint: { v: 1 } }).toArray()).toHaveLength(1);
    expect(await items.find({}, { hint: { $natural: 1 } }).toArray()).toHaveLength(2);
    expect(await items.countDocuments({}, { hint: "_id_" })).toBe(2);
  });

  it("is refused when it names no index, on find, count and aggregate", async () => {
    expect(await codeOf(items.find({ v: 1 }, { hint: "missing" }).toArray())).toBe(2);
    expect(await codeOf(items.find({ v: 1 }, { hint: { w: 1 } }).toArray())).toBe(2);
    expect(await codeOf(items.countDocuments({}, { hint: "missing" }))).toBe(2);
    expect(await codeOf(items.aggregate([{ $match: {} }], { hint: "missing" }).toArray())).toBe(2);
  });

  it("is refused when it names no index, on update, delete and findOneAndUpdate, changing nothing", async () => {
    expect(await codeOf(items.updateOne({ v: 1 }, { $set: { w: 1 } }, { hint: "missing" }))).toBe(2);
    expect(await codeOf(items.deleteOne({ v: 1 }, { hint: { w: 1 } }))).toBe(2);
    expect(await codeOf(items.findOneAndUpdate({ v: 1 }, { $set: { w: 1 } }, { hint: { missing: 1 } }))).toBe(2);
    expect(await items.countDocuments({ w: 1 })).toBe(0);
    expect(await items.countDocuments()).toBe(2);
    const followed = await items.updateOne({ v: 2 }, { $set: { w: 2 } }, { hint: "by_v" });
    expect(followed.modifiedCount).toBe(1);
  });
});
