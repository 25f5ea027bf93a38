import { Binary, type Collection, Decimal128, ObjectId } from "mongodb";
import { beforeEach, describe, expect, it } from "vitest";
import { useDatabase } from "../helpers/lifecycle.js";

/** Queries by BSON type and `$all` on scalars, through the official driver; expected values are MongoDB 7's. */
const database = useDatabase();
let items: Collection;
beforeEach(async () => {
  items = database.db.collection(`query_types_${new ObjectId().toHexString()}`);
  await items.insertMany([
    { _id: 1 as never, v: new ObjectId(), tag: "a" },
    { _id: 2 as never, v: "5f0000000000000000000000", tag: ["a", "b"] },
    { _id: 3 as never, v: new Binary(Buffer.from("bytes")), tag: "b" },
    { _id: 4 as never, v: Decimal128.fromString("1.5") },
    { _id: 5 as never, v: 7 },
    { _id: 6 as never, v: [new ObjectId()] },
  ]);
});

const ids = async (filter: object) =>
  (await items.find(filter).sort({ _id: 1 }).toArray()).map((document) => document._id as unknown as number);

describe("$type by BSON type", () => {
  it("matches ObjectIds (and arrays holding one) as objectId, by name and by number, never their hex strings", async () => {
    expect(await ids({ v: { $type: "objectId" } })).toEqual([1, 6]);
    expect(await ids({ v: { $type: 7 } })).toEqual([1, 6]);
  });

  it("matches binary as binData, and only Decimal128 as decimal", async () => {
    expect(await ids({ v: { $type: "binData" } })).toEqual([3]);
    expect(await ids({ v: { $type: "decimal" } })).toEqual([4]);
  });

  it("counts Decimal128 among numbers, and mixes its types with mingo's own", async () => {
    expect(await ids({ v: { $type: "number" } })).toEqual([4, 5]);
    expect(await ids({ v: { $type: ["string", "binData"] } })).toEqual([2, 3]);
  });
});

describe("$all", () => {
  it("matches a field that is not an array as the one-element array it holds", async () => {
    expect(await ids({ tag: { $all: ["a"] } })).toEqual([1, 2]);
    expect(await ids({ tag: { $all: ["a", "b"] } })).toEqual([2]);
    expect(await ids({ tag: { $all: [/^b/] } })).toEqual([2, 3]);
  });
});
