/**
 * The load generator: one process, many real clients, one workload against
 * one server. Prints one `RESULT {json}` line. Run by scripts/bench/run.ts.
 */
import { readFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import * as Y from "yjs";
import { type BenchClient, connectClient, type Room, type ServerKind } from "./clients.js";
import { percentiles } from "./stats.js";

export interface LoadOptions {
  kind: ServerKind;
  url: string;
  workload: "W1" | "W2" | "W3" | "W4" | "W5";
  rooms: Room[];
  clientsPerRoom: number;
  /** Milliseconds between one client's inserts. */
  intervalMs: number;
  durationMs: number;
  serverPid: number;
  /** W4: how many opens to time. */
  opens: number;
}

const CHUNK = 16;
const MARKER = 8;

function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  // utime and stime are fields 14 and 15 of /proc/PID/stat (11 and 12 after the command name), in clock ticks.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { rss: kb("VmRSS"), peak: kb("VmHWM") };
}

async function connectAll(options: LoadOptions): Promise<BenchClient[]> {
  const clients: BenchClient[] = [];
  const pending: Promise<void>[] = [];
  for (const room of options.rooms) {
    for (let i = 0; i < options.clientsPerRoom; i++) {
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

/** W1, W2, W5: inserts of 16 characters, each tagged so its arrival at every other client can be timed. */
async function typing(options: LoadOptions) {
  const clients = await connectAll(options);
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const ackLatencies: number[] = [];
  let delivered = 0;
  let sent = 0;
  for (const client of clients) {
    client.doc.getText("body").observe((event) => {
      if (event.transaction.local) return;
      const now = performance.now();
      for (const op of event.delta) {
        if (typeof op.insert !== "string") continue;
        for (let at = 0; at + CHUNK <= op.insert.length; at += CHUNK) {
          const started = sentAt.get(op.insert.slice(at, at + MARKER));
          if (started === undefined) continue;
          latencies.push(now - started);
          delivered += 1;
        }
      }
    });
    client.onAck?.((latency) => ackLatencies.push(latency));
  }

  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const cpuBefore = process.cpuUsage();
  const serverCpuBefore = cpuSecondsOf(options.serverPid);
  const started = performance.now();
  const timers = clients.map((client) => {
    const tick = () => {
      const marker = (sent++).toString(36).padStart(MARKER, "0");
      sentAt.set(marker, performance.now());
      client.doc.getText("body").insert(0, marker + "-".repeat(CHUNK - MARKER));
    };
    const phase = setTimeout(() => {
      tick();
      timers.push(setInterval(tick, options.intervalMs));
    }, Math.random() * options.intervalMs);
    return phase;
  });
  await new Promise((resolve) => setTimeout(resolve, options.durationMs));
  for (const timer of timers) {
    clearTimeout(timer);
    clearInterval(timer);
  }
  // Let what is in flight arrive; it counts, since it was sent inside the window.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const elapsed = (performance.now() - started) / 1000;
  const serverCpu = cpuSecondsOf(options.serverPid) - serverCpuBefore;
  const cpu = process.cpuUsage(cpuBefore);
  loopDelay.disable();
  const expected = sent * (options.clientsPerRoom - 1);
  for (const client of clients) client.close();
  return {
    sent,
    delivered,
    expectedDeliveries: expected,
    deliveredPerSecond: delivered / elapsed,
    latencyMs: percentiles(latencies),
    ackLatencyMs: ackLatencies.length > 0 ? percentiles(ackLatencies) : undefined,
    serverCpuSeconds: serverCpu,
    cpuMsPer1000Delivered: delivered > 0 ? (serverCpu * 1000 * 1000) / delivered : undefined,
    generator: {
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
      loopDelayMaxMs: loopDelay.max / 1e6,
    },
  };
}

/** W3: many synced, idle connections; what each costs the server in memory. */
async function capacity(options: LoadOptions) {
  const before = memoryOf(options.serverPid).rss;
  const started = performance.now();
  const clients = await connectAll(options);
  const connectSeconds = (performance.now() - started) / 1000;
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const after = memoryOf(options.serverPid).rss;
  for (const client of clients) client.close();
  return {
    connections: clients.length,
    connectSeconds,
    rssBeforeKb: before,
    rssAfterKb: after,
    kbPerConnection: (after - before) / clients.length,
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

async function main() {
  const options = JSON.parse(readFileSync(process.argv[2] as string, "utf8")) as LoadOptions;
  const result =
    options.workload === "W3"
      ? await capacity(options)
      : options.workload === "W4"
        ? await open(options)
        : await typing(options);
  const memory = memoryOf(options.serverPid);
  process.stdout.write(`RESULT ${JSON.stringify({ ...result, serverPeakRssKb: memory.peak })}\n`);
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`load generator failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
