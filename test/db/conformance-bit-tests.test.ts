import { Binary, type Collection, ObjectId } from "mongodb";
import { beforeEach, describe, expect, it } from "vitest";
import { useDatabase } from "../helpers/lifecycle.js";

/** The bitwise query operators over numbers and BinData: the examples of MongoDB's documentation, through the driver. */
const database = useDatabase();
let items: Collection;
beforeEach(async () => {
  items = database.db.collection(`bits_${new ObjectId().toHexString()}`);
  await items.insertMany([
    { _id: 1 as never, a: 54 }, // 0b00110110
    { _id: 2 as never, a: 20 }, // 0b00010100
    { _id: 3 as never, a: 20.0 },
    { _id: 4 as never, a: new Binary(Buffer.from("Zg==", "base64")) }, // 0b01100110
    { _id: 5 as never, a: -1 },
    { _id: 6 as never, a: "not bits" },
  ]);
});

const ids = async (condition: object) =>
  (await items.find({ a: condition }).sort({ _id: 1 }).toArray()).map((document) => document._id);

describe("bitwise query operators", () => {
  it("$bitsAllSet takes positions, a bitmask or BinData, and reads BinData fields", async () => {
    expect(await ids({ $bitsAllSet: [1, 5] })).toEqual([1, 4, 5]);
    expect(await ids({ $bitsAllSet: 50 })).toEqual([1, 5]);
    expect(await ids({ $bitsAllSet: new Binary(Buffer.from("MC==", "base64")) })).toEqual([1, 5]);
  });

  it("$bitsAnySet, $bitsAllClear and $bitsAnyClear", async () => {
    expect(await ids({ $bitsAnySet: [1, 5] })).toEqual([1, 4, 5]);
    expect(await ids({ $bitsAllClear: [1, 5] })).toEqual([2, 3]);
    expect(await ids({ $bitsAnyClear: [1, 5] })).toEqual([2, 3]);
  });

  it("reads negative numbers as two's complement, sign-extended past bit 63", async () => {
    expect(await ids({ $bitsAllSet: [63, 200] })).toEqual([5]);
  });
});
