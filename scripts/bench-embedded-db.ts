/**
 * Embedded database throughput through the real driver over TCP: inserts/s,
 * finds/s and updates/s by _id and by a unique index, each beside the same
 * operation on an unindexed field as the in-run baseline, so a regression to
 * scanning shows as a ratio; reading every document through a paging cursor
 * beside one batch; and what a large aggregation does to the event loop of
 * the process that asked, with the database in-process and on its own thread
 * (as `npm start` runs it); and what one small insert costs the process, paced
 * as the store's group commit paces them (one every 20 ms) beside the same
 * inserts back to back and beside the bare timer wake-ups.
 *
 *   npm run bench:db -- --documents 10000 --finds 2000
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { type Collection, MongoClient } from "mongodb";
import { EmbeddedMongoServer } from "../src/db/embedded/server.js";
import { startEmbeddedThread } from "../src/db/embedded-thread.js";

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

const updateByIndex = await timed("updateOne $inc by unique index", findCount, (i) =>
  collection.updateOne({ email: `user${(i * 7919) % documentCount}@example.test` }, { $inc: { n: 1 } }),
);
const updateByScan = await timed("updateOne $inc by unindexed field", scanCount, (i) =>
  collection.updateOne({ plain: `p${(i * 7919) % documentCount}` }, { $inc: { n: 1 } }),
);
process.stdout.write(`indexed vs scan update: ${(updateByIndex / updateByScan).toFixed(1)}x faster\n`);

/** Documents per second read through a cursor that pages by `batchSize` (getMore after getMore). */
async function readAll(label: string, batchSize: number) {
  const rounds = 5;
  const started = process.hrtime.bigint();
  for (let round = 0; round < rounds; round++) {
    let read = 0;
    for await (const _ of collection.find({}, { batchSize })) read += 1;
    if (read !== documentCount) throw new Error(`read ${read} of ${documentCount}`);
  }
  const perSecond = (rounds * documentCount) / (Number(process.hrtime.bigint() - started) / 1e9);
  process.stdout.write(
    `${label.padEnd(34)} ${documentCount.toString().padStart(7)} docs ${perSecond.toFixed(0).padStart(8)} docs/s\n`,
  );
  return perSecond;
}
const paged = await readAll("cursor paging, batches of 100", 100);
const oneBatch = await readAll("cursor in one batch (baseline)", documentCount);
process.stdout.write(`paging vs one batch: ${(paged / oneBatch).toFixed(2)}x the throughput\n`);
await client.close();
await server.stop();

/**
 * The caller's event-loop delay while a grouping aggregation over every document runs `rounds` times: the stall a
 * socket served by the same process would see.
 */
async function stallDuring(label: string, uri: string) {
  const caller = await MongoClient.connect(uri);
  const docs = caller.db("bench").collection("stall");
  await docs.insertMany(Array.from({ length: documentCount * 5 }, (_, i) => ({ group: i % 100, n: i, text: `t${i}` })));
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  for (let round = 0; round < 5; round++) await largeAggregation(docs);
  delay.disable();
  await caller.close();
  const ms = (ns: number) => (ns / 1e6).toFixed(1).padStart(7);
  process.stdout.write(`${label.padEnd(34)} loop delay p99 ${ms(delay.percentile(99))} ms  max ${ms(delay.max)} ms\n`);
  return delay.max;
}
function largeAggregation(docs: Collection) {
  return docs.aggregate([{ $group: { _id: "$group", total: { $sum: "$n" } } }, { $sort: { total: -1 } }]).toArray();
}
const inProcess = new EmbeddedMongoServer();
const inProcessStall = await stallDuring("large aggregation, in-process", await inProcess.start());
await inProcess.stop();
const thread = await startEmbeddedThread((error) => {
  throw error;
});
const threadStall = await stallDuring("large aggregation, own thread", thread.uri);
await thread.stop();
process.stdout.write(`worst stall, in-process vs own thread: ${(inProcessStall / threadStall).toFixed(1)}x\n`);

/**
 * CPU of this whole process (the driver and the database's thread) per round: `rounds` inserts of six small records,
 * back to back or one every `paceMs` (as the store's group commit sends them), or the timer wake-ups alone.
 */
async function cpuPerRound(label: string, paceMs: number, insert: (() => Promise<unknown>) | undefined) {
  const rounds = paceMs > 0 ? 250 : 2_000;
  const before = process.cpuUsage();
  for (let round = 0; round < rounds; round++) {
    if (insert) await insert();
    if (paceMs > 0) await new Promise((resolve) => setTimeout(resolve, paceMs));
  }
  const used = process.cpuUsage(before);
  const perRound = (used.user + used.system) / rounds;
  process.stdout.write(
    `${label.padEnd(34)} ${rounds.toString().padStart(7)} rounds ${perRound.toFixed(0).padStart(6)} µs CPU each\n`,
  );
  return perRound;
}
const paced = await startEmbeddedThread((error) => {
  throw error;
});
const writer = await MongoClient.connect(paced.uri);
const log = writer.db("bench").collection("log");
const records = () => Array.from({ length: 6 }, (_, i) => ({ documentId: `d${i}`, update: Buffer.alloc(40, i) }));
for (let i = 0; i < 500; i++) await log.insertMany(records());
const backToBack = await cpuPerRound("insertMany(6), back to back", 0, () => log.insertMany(records()));
const every20 = await cpuPerRound("insertMany(6), one every 20 ms", 20, () => log.insertMany(records()));
const wakeUps = await cpuPerRound("timer wake-up every 20 ms, alone", 20, undefined);
process.stdout.write(
  `a paced insert costs ${(every20 / backToBack).toFixed(1)}x one back to back (${(every20 - wakeUps).toFixed(0)} µs beyond its timer's wake-up): caches go cold between wake-ups\n`,
);
await writer.close();
await paced.stop();
