import { type Collection, DBRef, ObjectId } from "mongodb";
import { beforeEach, describe, expect, it } from "vitest";
import { useDatabase } from "../helpers/lifecycle.js";
import { serverErrorCode } from "../helpers/mongo.js";

/**
 * Field names that look special: `$`-prefixed names and DBRef fields, `__proto__`. MongoDB 5+ stores and updates
 * them like any other field (but not inside `_id`); through the official driver, as MongoDB 7 answers.
 */
const database = useDatabase();
let items: Collection;
beforeEach(async () => {
  items = database.db.collection(`names_${new ObjectId().toHexString()}`);
});

const ownKeys = (document: object | null) => Object.getOwnPropertyNames(document ?? {});

describe("special field names", () => {
  it("$set writes a $-prefixed field", async () => {
    await items.insertOne({ _id: 1 as never });
    await items.updateOne({ _id: 1 as never }, { $set: { $price: 5 } } as never);
    expect(await items.findOne({ _id: 1 as never })).toEqual({ _id: 1, $price: 5 });
  });

  it("finds DBRefs by $id, with $elemMatch and by a dotted path", async () => {
    await items.insertMany([
      { _id: 1 as never, owner: new DBRef("users", 7 as never), refs: [new DBRef("users", 7 as never)] },
      { _id: 2 as never, owner: new DBRef("users", 8 as never), refs: [new DBRef("users", 8 as never)] },
    ]);
    const byElement = await items.find({ refs: { $elemMatch: { $ref: "users", $id: 8 } } }).toArray();
    expect(byElement.map((document) => document._id)).toEqual([2]);
    const byPath = await items.find({ "owner.$id": 7 }).toArray();
    expect(byPath.map((document) => document._id)).toEqual([1]);
    expect(byPath[0]?.owner).toBeInstanceOf(DBRef);
  });

  it("refuses an _id document with a $-prefixed field (InvalidIdField, 53)", async () => {
    expect(await serverErrorCode(items.insertOne({ _id: { $a: 1 } as never }))).toBe(53);
    expect(await items.countDocuments()).toBe(0);
  });

  it("treats __proto__ as a field: $set writes it and $rename moves a field to it", async () => {
    await items.insertOne({ _id: 1 as never, a: 1 });
    await items.updateOne({ _id: 1 as never }, JSON.parse('{"$set": {"__proto__": {"x": 1}}}'));
    expect(ownKeys(await items.findOne({ _id: 1 as never }))).toEqual(["_id", "a", "__proto__"]);
    await items.updateOne({ _id: 1 as never }, { $unset: { ["__proto__"]: "" } } as never);
    await items.updateOne({ _id: 1 as never }, { $rename: { a: "__proto__" } });
    const renamed = await items.findOne({ _id: 1 as never });
    expect(ownKeys(renamed)).toEqual(["_id", "__proto__"]);
    expect(Object.getOwnPropertyDescriptor(renamed, "__proto__")?.value).toBe(1);
  });
});
