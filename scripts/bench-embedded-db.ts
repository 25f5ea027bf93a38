/**
 * Embedded database throughput through the real driver over TCP: inserts/s,
 * finds/s by _id and by a unique index, and the same find on an unindexed
 * field as the in-run baseline, so a regression to scanning shows as a ratio.
 *
 *   npm run bench:db -- --documents 10000 --finds 2000
 */
import { parseArgs } from "node:util";
import { MongoClient } from "mongodb";
import { EmbeddedMongoServer } from "../src/db/embedded/server.js";

const { values } = parseArgs({
  options: { documents: { type: "string", default: "10000" }, finds: { type: "string", default: "2000" } },
});
const documentCount = Number(values.documents);
const findCount = Number(values.finds);

async function timed(label: string, count: number, run: (i: number) => Promise<unknown>) {
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await run(i);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const perSecond = count / seconds;
  process.stdout.write(
    `${label.padEnd(34)} ${count.toString().padStart(7)} ops  ${perSecond.toFixed(0).padStart(8)} ops/s\n`,
  );
  return perSecond;
}

const server = new EmbeddedMongoServer();
const uri = await server.start();
const client = await MongoClient.connect(uri);
const collection = client.db("bench").collection("docs");
await collection.createIndex({ email: 1 }, { unique: true });

process.stdout.write(`embedded database, ${documentCount} documents, node ${process.version}\n`);
const ids: unknown[] = [];
await timed("insertOne", documentCount, async (i) => {
  const { insertedId } = await collection.insertOne({ email: `user${i}@example.test`, plain: `p${i}`, n: i });
  ids.push(insertedId);
});
const byId = await timed("findOne by _id", findCount, (i) =>
  collection.findOne({ _id: ids[(i * 7919) % documentCount] as never }),
);
const byIndex = await timed("findOne by unique index", findCount, (i) =>
  collection.findOne({ email: `user${(i * 7919) % documentCount}@example.test` }),
);
const scanCount = Math.max(50, Math.floor(findCount / 20));
const byScan = await timed("findOne by unindexed field (scan)", scanCount, (i) =>
  collection.findOne({ plain: `p${(i * 7919) % documentCount}` }),
);
process.stdout.write(
  `indexed vs scan: by _id ${(byId / byScan).toFixed(1)}x, by unique index ${(byIndex / byScan).toFixed(1)}x faster\n`,
);
await client.close();
await server.stop();
