import { Binary, type Collection, MongoServerError, ObjectId } from "mongodb";
import { beforeEach, describe, expect, it } from "vitest";
import { useDatabase } from "../helpers/lifecycle.js";

const database = useDatabase();
let items: Collection;
beforeEach(async () => {
  items = database.db.collection(`items_${new ObjectId().toHexString()}`);
});

const bytes = (length: number) => new Binary(Buffer.alloc(length, 7));
const LIMIT = 16 * 1024 * 1024;

/** MongoDB's 16 MiB limit on one document, as the official driver meets it (here, or against MONGODB_URI's server). */
describe("the 16 MiB document limit", () => {
  it("refuses an insert past it with BSONObjectTooLarge, and stores nothing", async () => {
    const refused = await items.insertOne({ _id: 1 as never, blob: bytes(LIMIT + LIMIT / 32) }).catch((error) => error);
    expect(refused).toBeInstanceOf(MongoServerError);
    expect((refused as MongoServerError).code).toBe(10334);
    expect(await items.countDocuments()).toBe(0);
    // Just under it is fine, and reads back whole.
    await items.insertOne({ _id: 2 as never, blob: bytes(LIMIT - 1024) });
    const found = await items.findOne({ _id: 2 as never });
    expect((found?.blob as Binary | undefined)?.length()).toBe(LIMIT - 1024);
  });

  it("refuses an update whose result would pass it, and leaves the document as it was", async () => {
    await items.insertOne({ _id: 1 as never, first: bytes(LIMIT / 2) });
    const refused = await items
      .updateOne({ _id: 1 as never }, { $set: { second: bytes(LIMIT / 2 + 1024) } })
      .catch((error) => error);
    expect(refused).toBeInstanceOf(MongoServerError);
    const found = await items.findOne({ _id: 1 as never });
    expect(found && Object.keys(found)).toEqual(["_id", "first"]);
  });
});
