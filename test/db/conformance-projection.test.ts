import { type Collection, ObjectId } from "mongodb";
import { beforeEach, describe, expect, it } from "vitest";
import { useDatabase } from "../helpers/lifecycle.js";

/** Find projections with `$slice` and `$elemMatch`, and where `_id` goes, through the official driver (MongoDB 7). */
const database = useDatabase();
let items: Collection;
const stored = { _id: 1, name: "n", tags: ["x", "y", "z"], ids: [10, 20, 30], lines: [{ k: "a" }, { k: "b" }] };
beforeEach(async () => {
  items = database.db.collection(`projection_${new ObjectId().toHexString()}`);
  await items.insertOne({ ...stored } as never);
});

describe("find projections", () => {
  it("$slice alone or beside exclusions returns the whole document with the array sliced", async () => {
    const { _id, name, ids, lines } = stored;
    expect(await items.findOne({}, { projection: { tags: { $slice: 1 } } })).toEqual({ ...stored, tags: ["x"] });
    expect(await items.findOne({}, { projection: { tags: { $slice: -2 }, name: 0 } })).toEqual({
      _id,
      tags: ["y", "z"],
      ids,
      lines,
    });
    expect(await items.findOne({}, { projection: { tags: { $slice: [1, 1] }, name: 1 } })).toEqual({
      _id,
      name,
      tags: ["y"],
    });
  });

  it("$elemMatch with operators only matches scalar elements, and with fields matches documents", async () => {
    expect(await items.findOne({}, { projection: { ids: { $elemMatch: { $in: [20, 30] } } } })).toEqual({
      _id: 1,
      ids: [20],
    });
    expect(await items.findOne({}, { projection: { lines: { $elemMatch: { k: "b" } } } })).toEqual({
      _id: 1,
      lines: [{ k: "b" }],
    });
  });

  it("puts _id first whatever order the inclusion names fields in", async () => {
    const projected = await items.findOne({}, { projection: { name: 1, _id: 1 } });
    expect(Object.keys(projected ?? {})).toEqual(["_id", "name"]);
  });
});
