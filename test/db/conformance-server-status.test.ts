import { ObjectId } from "mongodb";
import { describe, expect, it } from "vitest";
import { useDatabase } from "../helpers/lifecycle.js";

/** `serverStatus`, as monitoring tools read it through the official driver: the fields MongoDB 7 documents. */
const database = useDatabase();

describe("serverStatus", () => {
  it("reports uptime, connections and operation counters that move with the work done", async () => {
    const before = await database.client.db("admin").command({ serverStatus: 1 });
    expect(before).toMatchObject({ ok: 1, process: expect.stringMatching(/mongo/) });
    expect(typeof before.uptime).toBe("number");
    expect(before.localTime).toBeInstanceOf(Date);
    expect(before.connections.current).toBeGreaterThanOrEqual(1);
    await database.db.collection(`status_${new ObjectId().toHexString()}`).insertMany([{ a: 1 }, { a: 2 }, { a: 3 }]);
    const after = await database.client.db("admin").command({ serverStatus: 1 });
    expect(after.opcounters.insert - before.opcounters.insert).toBeGreaterThanOrEqual(3);
  });
});
