import { Binary, type Collection, Decimal128, Long, ObjectId } from "mongodb";
import { beforeEach, describe, expect, it } from "vitest";
import { useDatabase } from "../helpers/lifecycle.js";

/**
 * How values of different BSON types compare and sort (MongoDB's comparison order), through the official driver:
 * numbers of every type numerically, BinData by length, subtype and bytes, ranges within one type only.
 */
const database = useDatabase();
let items: Collection;
beforeEach(async () => {
  items = database.db.collection(`order_${new ObjectId().toHexString()}`);
});

const ids = async (filter: object) =>
  (await items.find(filter).sort({ _id: 1 }).toArray()).map((document) => document._id);

describe("BSON comparison order", () => {
  it("compares Decimal128 and Long with doubles numerically, in equality and in ranges", async () => {
    await items.insertMany([
      { _id: 1 as never, v: Decimal128.fromString("1.5") },
      { _id: 2 as never, v: 1 },
      { _id: 3 as never, v: Long.fromNumber(3) },
      { _id: 4 as never, v: "2" },
    ]);
    expect(await ids({ v: { $gt: 1 } })).toEqual([1, 3]);
    expect(await ids({ v: 1.5 })).toEqual([1]);
    expect(await ids({ v: { $in: [3, 7] } })).toEqual([3]);
    expect(await ids({ v: { $lte: Decimal128.fromString("1.5") } })).toEqual([1, 2]);
    expect(await ids({ v: { $ne: 1.5 } })).toEqual([2, 3, 4]);
  });

  it("compares BinData by length, then subtype, then bytes", async () => {
    await items.insertMany([
      { _id: 1 as never, d: new Binary(Buffer.from([1, 2])) },
      { _id: 2 as never, d: new Binary(Buffer.from([1, 2, 3])) },
      { _id: 3 as never, d: new Binary(Buffer.from([9])) },
      { _id: 4 as never, d: new Binary(Buffer.from([1, 3])) },
    ]);
    expect(await ids({ d: { $gt: new Binary(Buffer.from([1, 2])) } })).toEqual([2, 4]);
    expect(await ids({ d: { $lt: new Binary(Buffer.from([1, 2, 3])) } })).toEqual([1, 3, 4]);
  });

  it("sorts across types in MongoDB's order, arrays by their least element ascending", async () => {
    await items.insertMany([
      { _id: 1 as never, v: Decimal128.fromString("1.5") },
      { _id: 2 as never, v: 1 },
      { _id: 3 as never, v: "s" },
      { _id: 4 as never, v: null },
      { _id: 5 as never, v: new ObjectId("000000000000000000000000") },
      { _id: 6 as never, v: Decimal128.fromString("0.5") },
      { _id: 7 as never, v: true },
      { _id: 8 as never, v: new Date(0) },
      { _id: 9 as never, v: { a: 1 } },
      { _id: 10 as never, v: [5, 0.1] },
    ]);
    const ascending = (await items.find().sort({ v: 1 }).toArray()).map((document) => document._id);
    expect(ascending).toEqual([4, 10, 6, 2, 1, 3, 9, 5, 7, 8]);
    const descending = await items.aggregate([{ $sort: { v: -1 } }]).toArray();
    expect(descending.map((document) => document._id)).toEqual([8, 7, 5, 9, 3, 10, 1, 2, 6, 4]);
  });
});
