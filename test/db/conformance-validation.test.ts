import { type Db, ObjectId } from "mongodb";
import { beforeEach, describe, expect, it } from "vitest";
import { useDatabase } from "../helpers/lifecycle.js";
import { serverErrorCode } from "../helpers/mongo.js";

/**
 * A collection's query-expression `validator`, through the official driver: enforced on insert and update
 * (DocumentValidationFailure, 121) unless the write bypasses it; MongoDB 7's documented behaviour.
 */
const database = useDatabase();
let db: Db;
let name: string;
beforeEach(() => {
  db = database.db;
  name = `validated_${new ObjectId().toHexString()}`;
});

describe("collection validators", () => {
  it("refuses inserts and updates that fail the validator, storing nothing", async () => {
    const items = await db.createCollection(name, { validator: { qty: { $gte: 0 } } });
    await items.insertOne({ _id: 1 as never, qty: 1 });
    expect(await serverErrorCode(items.insertOne({ qty: -1 }))).toBe(121);
    expect(await serverErrorCode(items.updateOne({ _id: 1 as never }, { $set: { qty: -5 } }))).toBe(121);
    expect(await items.find().toArray()).toEqual([{ _id: 1, qty: 1 }]);
  });

  it("lets a write that sets bypassDocumentValidation through", async () => {
    const items = await db.createCollection(name, { validator: { qty: { $gte: 0 } } });
    await items.insertOne({ qty: -1 }, { bypassDocumentValidation: true });
    expect(await items.countDocuments({ qty: -1 })).toBe(1);
  });

  it("with validationLevel moderate, leaves documents that already failed it updatable", async () => {
    const items = await db.createCollection(name, { validator: { qty: { $gte: 0 } }, validationLevel: "moderate" });
    await items.insertOne({ _id: 1 as never, qty: -1 }, { bypassDocumentValidation: true });
    await items.updateOne({ _id: 1 as never }, { $set: { note: "still invalid" } });
    expect(await items.findOne({ _id: 1 as never })).toEqual({ _id: 1, qty: -1, note: "still invalid" });
  });
});
