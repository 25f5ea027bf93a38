import { type Collection, ObjectId } from "mongodb";
import { beforeEach, describe, expect, it } from "vitest";
import { useDatabase } from "../helpers/lifecycle.js";
import { serverErrorCode } from "../helpers/mongo.js";

/** Array update operators mongoose relies on, through the official driver; expected values are MongoDB 7's. */
const database = useDatabase();
let items: Collection;
beforeEach(async () => {
  items = database.db.collection(`arrays_${new ObjectId().toHexString()}`);
  await items.insertOne({
    _id: 1 as never,
    rows: [
      { a: 1, b: 1 },
      { a: 2, b: 2 },
      { a: 3, b: 3 },
    ],
  });
});

describe("array updates", () => {
  it("$pull with an $or condition removes every element that matches one branch", async () => {
    const result = await items.updateOne(
      { _id: 1 as never },
      { $pull: { rows: { $or: [{ a: 1 }, { b: 3 }] } } as never },
    );
    expect(result.modifiedCount).toBe(1);
    expect((await items.findOne({ _id: 1 as never }))?.rows).toEqual([{ a: 2, b: 2 }]);
  });

  it("two $[] paths under one array in one $set are both applied", async () => {
    await items.updateOne({ _id: 1 as never }, { $set: { "rows.$[].a": 0, "rows.$[].b": 9 } });
    expect((await items.findOne({ _id: 1 as never }))?.rows).toEqual([
      { a: 0, b: 9 },
      { a: 0, b: 9 },
      { a: 0, b: 9 },
    ]);
  });

  it("paths that overlap are refused (ConflictingUpdateOperators, 40)", async () => {
    expect(await serverErrorCode(items.updateOne({ _id: 1 as never }, { $set: { rows: [], "rows.0.a": 1 } }))).toBe(40);
  });
});
