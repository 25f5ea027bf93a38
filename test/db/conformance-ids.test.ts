import { type Collection, ObjectId } from "mongodb";
import { beforeEach, describe, expect, it } from "vitest";
import { useDatabase } from "../helpers/lifecycle.js";

/** How `_id` behaves, through the official driver; expected values are MongoDB 7's (they hold against MONGODB_URI). */
const database = useDatabase();
let items: Collection;
beforeEach(async () => {
  items = database.db.collection(`ids_${new ObjectId().toHexString()}`);
});

describe("_id", () => {
  it("is stored first, wherever the inserted document had it", async () => {
    await items.insertOne({ a: 1, b: 2, _id: 5 as never });
    expect(Object.keys((await items.findOne({ _id: 5 as never })) ?? {})).toEqual(["_id", "a", "b"]);
  });

  it("may be null: an upsert with `_id: null` in its filter stores null", async () => {
    await items.updateOne({ _id: null as never }, { $set: { a: 1 } }, { upsert: true });
    expect(await items.findOne({ a: 1 })).toEqual({ _id: null, a: 1 });
  });

  it("may be $set to the filter's own value in an upsert (a no-op)", async () => {
    const result = await items.updateOne({ _id: 9 as never }, { $set: { _id: 9 as never, a: 1 } }, { upsert: true });
    expect(result.upsertedId).toBe(9);
    expect(await items.findOne({ _id: 9 as never })).toEqual({ _id: 9, a: 1 });
  });

  it("is kept by a pipeline update whose output has none ($replaceRoot)", async () => {
    await items.insertOne({ _id: 1 as never, a: 1 });
    await items.updateOne({ _id: 1 as never }, [{ $replaceRoot: { newRoot: { b: 2 } } }]);
    expect(await items.findOne({ _id: 1 as never })).toEqual({ _id: 1, b: 2 });
  });
});
