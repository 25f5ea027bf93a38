import mongoose from "mongoose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useDatabase } from "../helpers/lifecycle.js";

/**
 * What mongoose sends for subdocument arrays and Decimal128 fields, end to end through mongoose: `pull()` of
 * subdocuments without `_id` (a `$pull` with `$or`), a positional `$` update by a subdocument's `_id`, and Decimal128
 * compared and sorted as a number.
 */
const database = useDatabase();
let connection: mongoose.Connection;
beforeAll(async () => {
  connection = await mongoose.createConnection(database.mongo.databaseUri).asPromise();
});
afterAll(async () => {
  await connection.close();
});

const schema = new mongoose.Schema({
  lines: [new mongoose.Schema({ k: String, v: Number }, { _id: false })],
  subs: [{ t: String }],
  price: mongoose.Schema.Types.Decimal128,
});

describe("mongoose subdocuments and Decimal128", () => {
  it("pulls subdocuments with and without _id, and updates one by the positional $", async () => {
    const Item = connection.model("SubdocumentItem", schema);
    const item = await Item.create({
      lines: [
        { k: "x", v: 1 },
        { k: "y", v: 2 },
      ],
      subs: [{ t: "s1" }, { t: "s2" }],
    });
    item.lines.pull(item.lines[0]);
    item.subs.pull(item.subs[1]?._id);
    await item.save();
    const kept = item.subs[0]?._id;
    await Item.updateOne({ _id: item._id, "subs._id": kept }, { $set: { "subs.$.t": "S1" } });
    const stored = await Item.findById(item._id).lean();
    expect(stored?.lines).toEqual([{ k: "y", v: 2 }]);
    expect(stored?.subs).toEqual([{ _id: kept, t: "S1" }]);
  });

  it("finds and sorts Decimal128 prices as numbers", async () => {
    const Priced = connection.model("PricedItem", schema);
    await Priced.create([{ price: "1.5" }, { price: "0.25" }, { price: "10" }]);
    expect(await Priced.countDocuments({ price: { $gt: 1 } } as never)).toBe(2);
    const sorted = await Priced.find().sort({ price: 1 }).lean();
    expect(sorted.map((item) => item.price?.toString())).toEqual(["0.25", "1.5", "10"]);
  });
});
