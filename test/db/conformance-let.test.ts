import { type Collection, ObjectId } from "mongodb";
import { beforeEach, describe, expect, it } from "vitest";
import { useDatabase } from "../helpers/lifecycle.js";

/** A command's `let` variables, read as `$$name` in `$expr` and pipelines, through the official driver (MongoDB 5+). */
const database = useDatabase();
let items: Collection;
beforeEach(async () => {
  items = database.db.collection(`let_${new ObjectId().toHexString()}`);
  await items.insertMany([
    { _id: 1 as never, v: 10 },
    { _id: 2 as never, v: 20 },
  ]);
});

const byVariable = { $expr: { $eq: ["$_id", "$$target"] } };

describe("let variables", () => {
  it("are read by find and aggregate", async () => {
    expect(await items.find(byVariable, { let: { target: 2 } }).toArray()).toEqual([{ _id: 2, v: 20 }]);
    const aggregated = await items
      .aggregate([{ $match: byVariable }, { $project: { doubled: { $multiply: ["$v", "$$factor"] } } }], {
        let: { target: 1, factor: 2 },
      })
      .toArray();
    expect(aggregated).toEqual([{ _id: 1, doubled: 20 }]);
  });

  it("are read by update (filter and pipeline), findOneAndUpdate and delete", async () => {
    await items.updateOne(byVariable, [{ $set: { v: "$$value" } }], { let: { target: 1, value: 11 } });
    const found = await items.findOneAndUpdate(byVariable, { $set: { seen: true } }, { let: { target: 2 } });
    expect(found).toEqual({ _id: 2, v: 20 });
    expect(await items.find().toArray()).toEqual([
      { _id: 1, v: 11 },
      { _id: 2, v: 20, seen: true },
    ]);
    expect((await items.deleteMany(byVariable, { let: { target: 1 } })).deletedCount).toBe(1);
  });

  it("are read by each statement of a bulk write, and a statement's constants (c) by its pipeline", async () => {
    const result = await items.bulkWrite(
      [
        { updateOne: { filter: byVariable, update: { $set: { v: 12 } } } },
        { deleteOne: { filter: { $expr: { $eq: ["$_id", "$$other"] } } } },
      ],
      { let: { target: 1, other: 2 } },
    );
    expect([result.modifiedCount, result.deletedCount]).toEqual([1, 1]);
    const withConstants = await database.db.command({
      update: items.collectionName,
      updates: [{ q: byVariable, u: [{ $set: { v: "$$value" } }], c: { value: 13 } }],
      let: { target: 1 },
    });
    expect(withConstants.nModified).toBe(1);
    expect(await items.find().toArray()).toEqual([{ _id: 1, v: 13 }]);
  });
});
