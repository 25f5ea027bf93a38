/**
 * A load generator: one process, many real clients, one workload against
 * one server. Typing workloads may be split across several generator
 * processes (each runs every `count`-th client of every room), so that one
 * saturated process does not add its queueing to the latencies: each prints
 * `READY` once connected, starts on a `START` line on stdin, and prints one
 * `RESULT {json}` line with its raw latencies; run.ts combines them and
 * measures the server. W3 and W4 run in one process and measure the server
 * themselves. Run by scripts/bench/run.ts.
 */
import { readFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createInterface } from "node:readline";
import * as Y from "yjs";
import { type BenchClient, connectClient, type Room, type ServerKind } from "./clients.js";
import { crowd } from "./crowd.js";
import { type HeapFigures, memoryAfterGc } from "./inspector.js";
import { cpuSecondsOf, memoryOf } from "./proc.js";
import { percentiles } from "./stats.js";

export interface LoadOptions {
  kind: ServerKind;
  url: string;
  workload: "W1" | "W2" | "W3" | "W4" | "W5" | "W6" | "W6b";
  rooms: Room[];
  clientsPerRoom: number;
  /** Milliseconds between one client's inserts. */
  intervalMs: number;
  durationMs: number;
  serverPid: number;
  /** W3: the server's inspector, to read its memory after a full collection. */
  inspectorUrl?: string;
  /** W4: how many opens to time. */
  opens: number;
  /** Which of `count` generator processes this is: it runs clients `index`, `index + count`, … of each room. */
  generator: { index: number; count: number };
  /** Epoch milliseconds shared by all generators: inserts carry their send time relative to it. */
  clockOrigin: number;
}

const CHUNK = 16;
/** W6: every socket arrives within this long. */
const CROWD_ARRIVAL_MS = 1000;
const MARKER = 8;

/** A clock all generator processes on this machine share, in milliseconds. */
const clock = () => performance.timeOrigin + performance.now();

async function connectAll(options: LoadOptions): Promise<BenchClient[]> {
  const clients: BenchClient[] = [];
  const pending: Promise<void>[] = [];
  const { index, count } = options.generator;
  for (const room of options.rooms) {
    for (let i = index; i < options.clientsPerRoom; i += count) {
      const client = connectClient(options.kind, options.url, room, i);
      clients.push(client);
      pending.push(client.ready);
      // Connect in waves, as users arrive, rather than as one thundering herd.
      if (pending.length % 50 === 0) await Promise.all(pending.slice(-50));
    }
  }
  await Promise.all(pending);
  return clients;
}

/**
 * The inserts a remote transaction brought, in 16-character chunks, read
 * from the structs it added: a text event's delta would walk the whole text
 * at every change, and the generator would slow down as the document grows.
 */
function insertedChunks(transaction: Y.Transaction, visit: (chunk: string) => void): void {
  for (const [client, after] of transaction.afterState) {
    const before = transaction.beforeState.get(client) ?? 0;
    const structs = transaction.doc.store.clients.get(client);
    if (after <= before || !structs) continue;
    for (let index = Y.findIndexSS(structs, before); index < structs.length; index++) {
      const struct = structs[index] as Y.Item | Y.GC;
      if (struct.id.clock >= after) break;
      if (struct.id.clock < before || !(struct instanceof Y.Item) || !(struct.content instanceof Y.ContentString))
        continue;
      const text = struct.content.str;
      for (let at = 0; at + CHUNK <= text.length; at += CHUNK) visit(text.slice(at, at + CHUNK));
    }
  }
}

/** Lines from run.ts on stdin: `START`, then `MEASURE`. */
function commandsFromRunner(): (command: string) => Promise<void> {
  const received: string[] = [];
  let waiting: (() => void) | undefined;
  createInterface({ input: process.stdin }).on("line", (line) => {
    received.push(line.trim());
    waiting?.();
  });
  return (command) =>
    new Promise((resolve) => {
      const check = () => {
        if (!received.includes(command)) return;
        waiting = undefined;
        resolve();
      };
      waiting = check;
      check();
    });
}

/**
 * W1, W2, W5: inserts of 16 characters, each starting with its send time
 * (microseconds since the shared origin, base 36), so any generator that
 * observes it can time its arrival. Typing starts at `START`; what is sent
 * before `MEASURE` (the warm-up, while the JIT compilers of every process
 * settle) is not counted.
 */
async function typing(options: LoadOptions) {
  const clients = await connectAll(options);
  const latencies: number[] = [];
  const ackLatencies: number[] = [];
  let measuredFrom = Number.POSITIVE_INFINITY;
  let delivered = 0;
  let sent = 0;
  /** Every insert, warm-up included: what the server's counters should add up to. */
  let typed = 0;
  for (const client of clients) {
    client.doc.on("afterTransaction", (transaction: Y.Transaction) => {
      if (transaction.local) return;
      const now = clock() - options.clockOrigin;
      insertedChunks(transaction, (chunk) => {
        const sentAt = Number.parseInt(chunk.slice(0, MARKER), 36) / 1000;
        if (!(sentAt >= measuredFrom)) return;
        latencies.push(Math.round((now - sentAt) * 100) / 100);
        delivered += 1;
      });
    });
    client.onAck?.((latency) => {
      if (clock() - options.clockOrigin - latency >= measuredFrom) ackLatencies.push(latency);
    });
  }
  const signal = commandsFromRunner();
  process.stdout.write("READY\n");
  await signal("START");
  const timers = clients.map((client) => {
    const tick = () => {
      const now = clock() - options.clockOrigin;
      if (now >= measuredFrom) sent += 1;
      typed += 1;
      const marker = Math.round(now * 1000)
        .toString(36)
        .padStart(MARKER, "0");
      client.doc.getText("body").insert(0, marker + "-".repeat(CHUNK - MARKER));
    };
    const phase = setTimeout(() => {
      tick();
      timers.push(setInterval(tick, options.intervalMs));
    }, Math.random() * options.intervalMs);
    return phase;
  });
  await signal("MEASURE");
  measuredFrom = clock() - options.clockOrigin;
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const cpuBefore = process.cpuUsage();
  await new Promise((resolve) => setTimeout(resolve, options.durationMs));
  for (const timer of timers) {
    clearTimeout(timer);
    clearInterval(timer);
  }
  // Let what is in flight arrive; it counts, since it was sent inside the window.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const cpu = process.cpuUsage(cpuBefore);
  loopDelay.disable();
  for (const client of clients) client.close();
  return {
    sent,
    typed,
    delivered,
    latencies,
    ackLatencies,
    generator: {
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
      loopDelayMaxMs: loopDelay.max / 1e6,
    },
  };
}

/**
 * W3: many synced, idle connections; what each costs the server, twice.
 * First the CPU to connect and sync them all on the server as its setup
 * left it, serving. Then, once it has dropped those documents, its memory is
 * read after two full collections (through the inspector), they all connect
 * again, and it is read again: the JavaScript heap and Buffers the
 * connections keep, and RSS, which also holds what the allocator has not
 * returned. The second connect's CPU is reported apart: a forced full
 * collection discards optimized code whose maps died and shrinks the heap's
 * limits, so the connections right after it cost a server with much code
 * more than they cost one that has been serving.
 */
async function capacity(options: LoadOptions) {
  const serving = await connectTimed(options);
  for (const client of serving.clients) client.close();
  // The service keeps a document DOC_UNLOAD_DELAY_MS (10 s by default) after its last socket leaves.
  await new Promise((resolve) => setTimeout(resolve, DOCUMENTS_DROPPED_MS));
  const measure = async () => (options.inspectorUrl ? await memoryAfterGc(options.inspectorUrl) : undefined);
  const before = memoryOf(options.serverPid).rss;
  const collectedBefore = await measure();
  const afterCollection = await connectTimed(options);
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const after = memoryOf(options.serverPid).rss;
  const collectedAfter = await measure();
  const { clients } = afterCollection;
  for (const client of clients) client.close();
  const perConnection = (pick: (figures: HeapFigures) => number) =>
    collectedBefore && collectedAfter ? (pick(collectedAfter) - pick(collectedBefore)) / clients.length : undefined;
  return {
    connections: clients.length,
    connectSeconds: serving.seconds,
    connectCpuSeconds: serving.cpuSeconds,
    connectAfterGcSeconds: afterCollection.seconds,
    connectAfterGcCpuSeconds: afterCollection.cpuSeconds,
    rssBeforeKb: before,
    rssAfterKb: after,
    kbPerConnection: (after - before) / clients.length,
    heapKbPerConnection: perConnection((figures) => figures.heapUsedKb + figures.externalKb),
    rssAfterGcKbPerConnection: perConnection((figures) => figures.rssKb),
  };
}

const DOCUMENTS_DROPPED_MS = 12_000;

/** Connects every client of the workload; how long it took and the server's CPU meanwhile. */
async function connectTimed(options: LoadOptions) {
  const cpuBefore = cpuSecondsOf(options.serverPid);
  const started = performance.now();
  const clients = await connectAll(options);
  return {
    clients,
    seconds: (performance.now() - started) / 1000,
    cpuSeconds: cpuSecondsOf(options.serverPid) - cpuBefore,
  };
}

/** W4: a project with a 1 MB document, opened again and again; time from connecting to synced. */
async function open(options: LoadOptions) {
  const room = options.rooms[0] as Room;
  const seed = connectClient(options.kind, options.url, room);
  await seed.ready;
  const text = seed.doc.getText("body");
  for (let i = 0; i < 16; i++) text.insert(text.length, "x".repeat(64 * 1024));
  // The floor holds no document: its "open" is connect and join, the cost every server pays at least.
  const holdsDocument = options.kind !== "floor";
  if (holdsDocument) {
    // Wait until a second client sees the whole document, so it is on the server.
    const probe = connectClient(options.kind, options.url, room);
    await probe.ready;
    while (probe.doc.getText("body").length < 16 * 64 * 1024) await new Promise((resolve) => setTimeout(resolve, 20));
    probe.close();
  }
  const documentBytes = Y.encodeStateAsUpdate(seed.doc).length;
  const times: number[] = [];
  const serverCpuBefore = cpuSecondsOf(options.serverPid);
  for (let i = 0; i < options.opens; i++) {
    const started = performance.now();
    const client = connectClient(options.kind, options.url, room);
    await client.ready;
    times.push(performance.now() - started);
    if (holdsDocument && client.doc.getText("body").length < 16 * 64 * 1024)
      throw new Error("opened without the whole document");
    client.close();
  }
  const serverCpu = cpuSecondsOf(options.serverPid) - serverCpuBefore;
  seed.close();
  return { documentBytes, opens: times.length, latencyMs: percentiles(times), serverCpuSeconds: serverCpu };
}

/** W6: connects nothing before `START`, so that every generator's crowd arrives on one schedule. */
async function crowdOnSignal(options: LoadOptions) {
  const signal = commandsFromRunner();
  process.stdout.write("READY\n");
  await signal("START");
  return crowd({ ...options, arrivalMs: CROWD_ARRIVAL_MS });
}

async function main() {
  const options = JSON.parse(readFileSync(process.argv[2] as string, "utf8")) as LoadOptions;
  const result =
    options.workload === "W3"
      ? await capacity(options)
      : options.workload === "W4"
        ? await open(options)
        : options.workload === "W6" || options.workload === "W6b"
          ? await crowdOnSignal(options)
          : await typing(options);
  const memory = memoryOf(options.serverPid);
  // Exit only once written: a pipe takes a large result in several writes.
  process.stdout.write(`RESULT ${JSON.stringify({ ...result, serverPeakRssKb: memory.peak })}\n`, () =>
    process.exit(0),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`load generator failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
