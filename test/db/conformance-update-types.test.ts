import { type Collection, ObjectId } from "mongodb";
import { beforeEach, describe, expect, it } from "vitest";
import { useDatabase } from "../helpers/lifecycle.js";
import { serverErrorCode } from "../helpers/mongo.js";

/**
 * Update operators applied to a value of the wrong type, through the official driver. Expected codes are MongoDB 7's
 * (BadValue 2, TypeMismatch 14, PathNotViable 28); the tests hold against MONGODB_URI unchanged.
 */
const database = useDatabase();
let items: Collection;
beforeEach(async () => {
  items = database.db.collection(`types_${new ObjectId().toHexString()}`);
  await items.insertOne({ _id: 1 as never, n: 5, s: "text", tags: ["a"], scalars: [1, 2] });
});

const refusal = (update: object) => serverErrorCode(items.updateOne({ _id: 1 as never }, update));

const unchanged = { _id: 1, n: 5, s: "text", tags: ["a"], scalars: [1, 2] };

describe("update operators on values of the wrong type", () => {
  it("refuses $push onto a number (BadValue), changing nothing", async () => {
    expect(await refusal({ $push: { n: 1 } })).toBe(2);
    expect(await items.findOne({ _id: 1 as never })).toEqual(unchanged);
  });

  it("refuses $addToSet and $pull on a non-array (BadValue), $pop on one (TypeMismatch)", async () => {
    expect(await refusal({ $addToSet: { s: "x" } })).toBe(2);
    expect(await refusal({ $pull: { n: 5 } })).toBe(2);
    expect(await refusal({ $pop: { s: 1 } })).toBe(14);
  });

  it("refuses $inc on a string and $inc by a string (TypeMismatch), even alongside a valid $set", async () => {
    expect(await refusal({ $inc: { s: 1 } })).toBe(14);
    expect(await refusal({ $inc: { n: "1" }, $set: { other: true } })).toBe(14);
    expect(await refusal({ $mul: { missing: "2" } })).toBe(14);
    expect(await items.findOne({ _id: 1 as never })).toEqual(unchanged);
  });

  it("refuses $set through a scalar or through an array by a field name (PathNotViable)", async () => {
    expect(await refusal({ $set: { "n.deeper": 1 } })).toBe(28);
    expect(await refusal({ $set: { "scalars.name": 1 } })).toBe(28);
    expect(await items.findOne({ _id: 1 as never })).toEqual(unchanged);
  });

  it("still sets through an array by index, creates missing paths, and lets $unset pass a scalar path", async () => {
    await items.updateOne(
      { _id: 1 as never },
      { $set: { "scalars.1": 20, "fresh.path": 1 }, $unset: { "n.deeper": "" } },
    );
    expect(await items.findOne({ _id: 1 as never })).toEqual({ ...unchanged, scalars: [1, 20], fresh: { path: 1 } });
  });
});
