import { type Document, type Long, MongoClient, MongoServerError } from "mongodb";
import { afterEach, describe, expect, it } from "vitest";
import { EmbeddedMongoServer } from "../../src/db/embedded/server.js";

/** These test the embedded server's own memory bounds, so they run against it whatever MONGODB_URI says. */
const IDLE_MS = 10 * 60 * 1000;
const servers: EmbeddedMongoServer[] = [];
const clients: MongoClient[] = [];

async function serverWithClock(now: { ms: number }) {
  const server = new EmbeddedMongoServer();
  servers.push(server);
  const uri = await server.start({ clock: () => now.ms });
  const client = await MongoClient.connect(uri);
  clients.push(client);
  const collection = client.db("cursors").collection("items");
  await collection.insertMany(Array.from({ length: 10 }, (_, i) => ({ i })));
  return { uri, client, collection };
}

/** A find that leaves a cursor open on the server: its id. */
async function openCursor(client: MongoClient): Promise<Long> {
  const reply = (await client.db("cursors").command({ find: "items", batchSize: 2 })) as Document;
  return reply.cursor.id as Long;
}

async function getMore(client: MongoClient, id: Long): Promise<unknown> {
  try {
    return await client.db("cursors").command({ getMore: id, collection: "items", batchSize: 2 });
  } catch (error) {
    return error;
  }
}

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  for (const server of servers.splice(0)) await server.stop();
});

describe("the embedded server's cursors", () => {
  it("close after 10 minutes without a getMore, like MongoDB's cursorTimeoutMillis", async () => {
    const now = { ms: 0 };
    const { client } = await serverWithClock(now);
    const kept = await openCursor(client);
    const idle = await openCursor(client);
    now.ms += IDLE_MS - 1000;
    expect(await getMore(client, kept)).toMatchObject({ ok: 1 });
    now.ms += 2000;
    const gone = await getMore(client, idle);
    expect(gone).toBeInstanceOf(MongoServerError);
    expect((gone as MongoServerError).code).toBe(43); // CursorNotFound
    expect(await getMore(client, kept)).toMatchObject({ ok: 1 });
    // Nobody asks for this one again: a later find finds it gone all the same.
    await openCursor(client);
    now.ms += IDLE_MS + IDLE_MS / 10;
    await openCursor(client);
    expect(servers[0]?.openCursors).toBe(1);
  });

  it("close with their session when the client ends it (endSessions)", async () => {
    const now = { ms: 0 };
    const { client, uri } = await serverWithClock(now);
    const id = await openCursor(client);
    // Closing a client ends its server sessions; the cursors opened in them go too.
    await client.close();
    const other = await MongoClient.connect(uri);
    clients.push(other);
    const after = await getMore(other, id);
    expect(after).toBeInstanceOf(MongoServerError);
    expect((after as MongoServerError).code).toBe(43);
  });
});
