import { randomBytes } from "node:crypto";
import { Binary, Decimal128, ObjectId } from "mongodb";
import mongoose from "mongoose";
import { describe, expect, it } from "vitest";
import { useDatabase } from "../helpers/lifecycle.js";

const database = useDatabase();

describe("embedded database: BSON values round-trip unchanged", () => {
  it("keeps Binary byte for byte, and tells apart byte arrays that decode to the same text", async () => {
    const blobs = database.db.collection("blobs");
    // Both are invalid UTF-8 and would decode to the same replacement characters.
    const first = new Binary(Buffer.from([0xff, 0xfe, 0x00, 0x01]));
    const second = new Binary(Buffer.from([0xfe, 0xff, 0x00, 0x01]));
    const random = new Binary(randomBytes(4096));
    await blobs.insertMany([
      { _id: 1 as never, data: first },
      { _id: 2 as never, data: second },
      { _id: 3 as never, data: random },
    ]);
    const matches = await blobs.find({ data: first }).toArray();
    expect(matches.map((doc) => doc._id)).toEqual([1]);
    const stored = await blobs.findOne({ _id: 3 as never });
    expect(Buffer.from(stored?.data.buffer).equals(Buffer.from(random.buffer))).toBe(true);
    expect(stored?.data.sub_type).toBe(0);
  });

  it("keeps ObjectId, Date, Decimal128, nested arrays and field order", async () => {
    const values = database.db.collection("values");
    const id = new ObjectId();
    const document = {
      _id: id,
      z: 1,
      a: "text",
      when: new Date("2024-01-02T03:04:05.678Z"),
      ref: new ObjectId(),
      price: Decimal128.fromString("12.34"),
      nested: {
        deeper: [
          [1, 2],
          [3, [4, { five: 5 }]],
        ],
      },
      flag: false,
      nothing: null,
    };
    await values.insertOne(document);
    const stored = await values.findOne({ _id: id });
    expect(stored).toEqual(document);
    expect(Object.keys(stored ?? {})).toEqual(Object.keys(document));
    expect(stored?.ref).toBeInstanceOf(ObjectId);
    expect(stored?.when).toBeInstanceOf(Date);
  });

  it("stores copies: changing what was inserted or read does not change what is stored", async () => {
    const copies = database.db.collection("copies");
    const document = { _id: new ObjectId(), list: [1, 2] };
    await copies.insertOne(document);
    document.list.push(3);
    const read = await copies.findOne({ _id: document._id });
    read?.list.push(4);
    expect((await copies.findOne({ _id: document._id }))?.list).toEqual([1, 2]);
  });

  it("round-trips Buffers and ObjectIds through mongoose", async () => {
    const connection = await mongoose.createConnection(database.mongo.databaseUri).asPromise();
    try {
      const Blob = connection.model(
        "Blob",
        new mongoose.Schema({ owner: mongoose.Schema.Types.ObjectId, bytes: Buffer }),
      );
      const bytes = randomBytes(1024);
      const owner = new mongoose.Types.ObjectId();
      const created = await Blob.create({ owner, bytes });
      const found = await Blob.findById(created._id).lean();
      expect(found?.owner?.equals(owner)).toBe(true);
      expect(Buffer.from((found!.bytes as unknown as Binary).buffer).equals(bytes)).toBe(true);
    } finally {
      await connection.close();
    }
  });
});
