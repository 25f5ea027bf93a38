import { MongoClient } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmbeddedMongoServer } from "../../src/db/embedded/server.js";
import { serverErrorCode } from "../helpers/mongo.js";

/**
 * What the embedded database refuses rather than half-does (the README's list of limits): `explain`, `collMod` and
 * `$jsonSchema`, each with CommandNotSupported (115). These test the embedded server itself, whatever MONGODB_URI says.
 */
const server = new EmbeddedMongoServer();
let client: MongoClient;
beforeAll(async () => {
  client = await MongoClient.connect(await server.start());
});
afterAll(async () => {
  await client.close();
  await server.stop();
});

const codeOf = serverErrorCode;

describe("the embedded database's refusals", () => {
  it("refuses explain and collMod", async () => {
    const items = client.db("limits").collection("items");
    await items.insertOne({ a: 1 });
    expect(await codeOf(items.find({ a: 1 }).explain())).toBe(115);
    expect(await codeOf(client.db("limits").command({ collMod: "items", validator: { a: 1 } }))).toBe(115);
  });

  it("refuses $jsonSchema in a query and in a validator, creating no collection", async () => {
    const schema = { $jsonSchema: { required: ["a"] } };
    expect(await codeOf(client.db("limits").collection("items").find(schema).toArray())).toBe(115);
    expect(await codeOf(client.db("limits").createCollection("schemed", { validator: schema }))).toBe(115);
    const names = (await client.db("limits").listCollections().toArray()).map((collection) => collection.name);
    expect(names).not.toContain("schemed");
  });
});
