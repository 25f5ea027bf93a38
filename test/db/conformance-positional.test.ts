import { type Collection, ObjectId } from "mongodb";
import { beforeEach, describe, expect, it } from "vitest";
import { useDatabase } from "../helpers/lifecycle.js";

/**
 * The positional `$`, through the official driver: in an update it stands for the array element the filter matched
 * (what mongoose sends to save a subdocument), in a projection it keeps that element. Expected values are MongoDB
 * 7's documented ones; the tests hold against MONGODB_URI unchanged.
 */
const database = useDatabase();
let items: Collection;
beforeEach(async () => {
  items = database.db.collection(`positional_${new ObjectId().toHexString()}`);
  await items.insertOne({
    _id: 1 as never,
    lines: [
      { k: "a", v: 1 },
      { k: "b", v: 2 },
    ],
    tags: ["x", "y", "z"],
  });
});

describe("the positional $", () => {
  it("updates the element the filter matched, by a field of the element or by the element itself", async () => {
    await items.updateOne({ _id: 1 as never, "lines.k": "b" }, { $set: { "lines.$.v": 20 } });
    await items.updateOne({ tags: "y" }, { $set: { "tags.$": "Y" } });
    expect(await items.findOne({ _id: 1 as never })).toEqual({
      _id: 1,
      lines: [
        { k: "a", v: 1 },
        { k: "b", v: 20 },
      ],
      tags: ["x", "Y", "z"],
    });
  });

  it("updates the element an $elemMatch matched, and increments through it", async () => {
    await items.updateOne({ lines: { $elemMatch: { k: "a", v: { $lt: 5 } } } }, { $inc: { "lines.$.v": 10 } });
    expect((await items.findOne({ _id: 1 as never }))?.lines).toEqual([
      { k: "a", v: 11 },
      { k: "b", v: 2 },
    ]);
  });

  it("is refused when the filter says nothing about the array (BadValue)", async () => {
    const failure = items.updateOne({ _id: 1 as never }, { $set: { "lines.$.v": 0 } });
    await expect(failure).rejects.toMatchObject({ code: 2 });
  });

  it("projects only the matched element with { 'field.$': 1 }", async () => {
    expect(await items.findOne({ tags: "z" }, { projection: { "tags.$": 1 } })).toEqual({ _id: 1, tags: ["z"] });
    expect(await items.findOne({ "lines.v": { $gt: 1 } }, { projection: { "lines.$": 1 } })).toEqual({
      _id: 1,
      lines: [{ k: "b", v: 2 }],
    });
  });
});
