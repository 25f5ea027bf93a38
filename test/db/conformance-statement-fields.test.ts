import { type Collection, ObjectId } from "mongodb";
import { beforeEach, describe, expect, it } from "vitest";
import { useDatabase } from "../helpers/lifecycle.js";
import { serverErrorCode } from "../helpers/mongo.js";

/**
 * Unknown fields in update and delete statements are refused with 40415, as MongoDB 7.0 does, not ignored; this
 * includes `sort`, which MongoDB accepts only from 8.0.
 */
const database = useDatabase();
let items: Collection;
beforeEach(async () => {
  items = database.db.collection(`statements_${new ObjectId().toHexString()}`);
  await items.insertOne({ _id: 1 as never, v: 1 });
});

const run = (command: object) => serverErrorCode(database.db.command(command));

describe("write statement fields", () => {
  it("refuses an unknown field in an update statement, changing nothing", async () => {
    const updates = [{ q: { _id: 1 }, u: { $set: { v: 2 } }, sort: { v: 1 } }];
    expect(await run({ update: items.collectionName, updates })).toBe(40415);
    expect(await items.findOne({ _id: 1 as never })).toEqual({ _id: 1, v: 1 });
  });

  it("refuses an unknown field in a delete statement, deleting nothing", async () => {
    const deletes = [{ q: { _id: 1 }, limit: 1, justOne: true }];
    expect(await run({ delete: items.collectionName, deletes })).toBe(40415);
    expect(await items.countDocuments()).toBe(1);
  });
});
