import { type Collection, ObjectId } from "mongodb";
import { beforeEach, describe, expect, it } from "vitest";
import { useDatabase } from "../helpers/lifecycle.js";

/** Replies stay under MongoDB's 16 MiB message size: batches are cut by bytes as well as by count. */
const database = useDatabase();
let items: Collection;
beforeEach(async () => {
  items = database.db.collection(`reply_size_${new ObjectId().toHexString()}`);
});

describe("cursor batches", () => {
  it("returns 20 documents of 1 MiB each through a find (more than one reply can hold)", async () => {
    const megabyte = "x".repeat(1024 * 1024);
    for (let i = 0; i < 20; i++) await items.insertOne({ i, payload: megabyte });
    const found = await items.find({}, { sort: { i: 1 } }).toArray();
    expect(found.map((document) => document.i)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(found.every((document) => document.payload.length === megabyte.length)).toBe(true);
  });
});
