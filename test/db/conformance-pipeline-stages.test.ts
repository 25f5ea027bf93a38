import { type Collection, ObjectId } from "mongodb";
import { beforeEach, describe, expect, it } from "vitest";
import { useDatabase } from "../helpers/lifecycle.js";
import { serverErrorCode } from "../helpers/mongo.js";

/** How aggregate treats malformed pipeline stages, through the official driver; codes are MongoDB 7's. */
const database = useDatabase();
let items: Collection;
beforeEach(async () => {
  items = database.db.collection(`stages_${new ObjectId().toHexString()}`);
  await items.insertMany([{ v: 1 }, { v: 2 }]);
});

const codeOf = (pipeline: object[]) => serverErrorCode(items.aggregate(pipeline).toArray());

describe("aggregate pipeline stages", () => {
  it("refuses an unknown stage name with 40324", async () => {
    expect(await codeOf([{ $match: {} }, { $frobnicate: {} }])).toBe(40324);
  });

  it("refuses a stage object with two fields with 40323", async () => {
    expect(await codeOf([{ $match: { v: 1 }, $limit: 1 }])).toBe(40323);
  });

  it("still runs known stages", async () => {
    expect(await items.aggregate([{ $match: { v: { $gt: 1 } } }, { $project: { _id: 0, v: 1 } }]).toArray()).toEqual([
      { v: 2 },
    ]);
  });
});
