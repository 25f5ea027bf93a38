/**
 * `npm run bench`: this service, the floor (a plain Socket.IO relay), the
 * reference (the y-websocket server) and Hocuspocus, each started as its own
 * process, under the same workloads from a load generator in its own
 * process, repeated in rotated order. Prints a table with ratios against the
 * floor, the reference and Hocuspocus measured in the same run, writes raw
 * JSON under bench/results/, and with --write-doc the summary in
 * docs/BENCHMARKS.md.
 *
 *   npm run bench -- --workloads W1,W3 --servers service,floor --reps 3 --W1.duration 10000
 *   npm run bench -- --warmup 10000 --generators 2
 *   npm run bench -- --workloads W1 --servers service --service-flags "--perf-prof"
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { parseArgs } from "node:util";
import type { ServerKind } from "./clients.js";
import type { CrowdSample } from "./crowd.js";
import { startGenerator } from "./generator.js";
import type { LoadOptions } from "./load.js";
import { cpuSecondsOf, memoryOf } from "./proc.js";
import { renderReport } from "./report.js";
import { type RunningServer, startServer } from "./start-server.js";
import { percentiles } from "./stats.js";

type Workload = LoadOptions["workload"];

export interface WorkloadSpec {
  rooms: number;
  clients: number;
  /** Accounts per room: client i signs in as account i (mod users), so a user may have several sockets. */
  users: number;
  interval: number;
  duration: number;
  opens: number;
}

const DEFAULTS: Record<Workload, WorkloadSpec> = {
  W1: { rooms: 1, clients: 30, users: 30, interval: 100, duration: 20_000, opens: 0 },
  W2: { rooms: 200, clients: 5, users: 5, interval: 1000, duration: 30_000, opens: 0 },
  W3: { rooms: 100, clients: 20, users: 20, interval: 0, duration: 0, opens: 0 },
  W4: { rooms: 1, clients: 1, users: 1, interval: 0, duration: 0, opens: 30 },
  W5: { rooms: 1, clients: 30, users: 30, interval: 100, duration: 20_000, opens: 0 },
  // The crowd: four sockets (tabs, devices) per user, all arriving within a second.
  W6: { rooms: 1, clients: 1000, users: 250, interval: 0, duration: 0, opens: 0 },
  W6b: { rooms: 100, clients: 10, users: 5, interval: 0, duration: 0, opens: 0 },
};

const { values } = parseArgs({
  strict: false,
  options: {
    workloads: { type: "string", default: "W1,W2,W3,W4,W5,W6,W6b" },
    servers: { type: "string", default: "default,default-raw,service,floor,reference,hocuspocus" },
    reps: { type: "string", default: "3" },
    "write-doc": { type: "boolean", default: false },
    profile: { type: "boolean", default: false },
    report: { type: "string" },
    generators: { type: "string", default: "1" },
    warmup: { type: "string", default: "10000" },
    /** From the first second: no warm-up, as a user's first minutes after `npm start`. */
    cold: { type: "boolean", default: false },
    "service-flags": { type: "string", default: "" },
  },
});
/** `--W1.duration 5000` or `--W1.duration=5000`: parseArgs cannot declare options per workload. */
function overrideOf(flag: string): string | undefined {
  const argv = process.argv;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === flag) return argv[i + 1];
    if (argv[i]?.startsWith(`${flag}=`)) return argv[i]?.slice(flag.length + 1);
  }
  return undefined;
}

const warmupMs = values.cold ? 0 : Number(values.warmup);
const workloads = String(values.workloads).split(",") as Workload[];
const servers = String(values.servers).split(",") as ServerKind[];
const repetitions = Number(values.reps);
const specs = Object.fromEntries(
  workloads.map((workload) => {
    const spec = { ...DEFAULTS[workload] };
    for (const key of Object.keys(spec) as Array<keyof WorkloadSpec>) {
      const override = overrideOf(`--${workload}.${key}`);
      if (override !== undefined) spec[key] = Number(override);
    }
    return [workload, spec];
  }),
) as Record<Workload, WorkloadSpec>;

type Sample = { sent: number; typed: number; delivered: number; latencies: number[]; ackLatencies: number[] };

/** The value of one sample in Prometheus text (summed over its label sets when `labels` is a prefix). */
function sampleOf(text: string, name: string, labels = ""): number {
  return text
    .split("\n")
    .filter((line) => line.startsWith(labels ? `${name}{${labels}` : `${name} `))
    .reduce((sum, line) => sum + Number(line.split(" ").at(-1)), 0);
}

/** W1, W2, W5: generators connect, start together, and this process measures the server over the same window. */
async function typingRun(server: RunningServer, options: Omit<LoadOptions, "generator">, count: number) {
  const generators = Array.from({ length: count }, (_, index) =>
    startGenerator({ ...options, generator: { index, count } }),
  );
  await Promise.all(generators.map((generator) => generator.ready));
  // Scraped as often as a demanding Prometheus would: its cost is part of what `metrics` measures.
  const scraping = server.scrapeContinuously ? setInterval(() => void server.scrape?.(), 1000) : undefined;
  for (const generator of generators) generator.child.stdin?.write("START\n");
  await new Promise((resolve) => setTimeout(resolve, warmupMs));
  const serverPids = [server.pid, ...(server.otherPids ?? [])];
  const serverCpuSeconds = () => serverPids.reduce((sum, pid) => sum + cpuSecondsOf(pid), 0);
  const cpuBefore = serverCpuSeconds();
  const databaseCpuBefore = server.databasePid ? cpuSecondsOf(server.databasePid) : 0;
  // Reading /metrics resets its event-loop histogram: what the last read shows is the measured window's.
  await server.scrape?.();
  const started = performance.now();
  for (const generator of generators) generator.child.stdin?.write("MEASURE\n");
  const results = await Promise.all(generators.map((generator) => generator.result));
  const elapsed = (performance.now() - started) / 1000;
  const serverCpu = serverCpuSeconds() - cpuBefore;
  clearInterval(scraping);
  const scraped = await server.scrape?.();
  const databaseCpu = server.databasePid ? cpuSecondsOf(server.databasePid) - databaseCpuBefore : undefined;
  const samples = results as unknown as Array<Sample & { generator: Record<string, number> }>;
  const total = (pick: (sample: Sample) => number) => samples.reduce((sum, sample) => sum + pick(sample), 0);
  const delivered = total((sample) => sample.delivered);
  const sent = total((sample) => sample.sent);
  const typed = total((sample) => sample.typed);
  // Does the service count what the generators did? Every insert is one update message and one durable ack.
  const counted = scraped && {
    typed,
    updatesReceived: sampleOf(scraped, "collab_yjs_messages_received_total", 'type="update"'),
    durableAcks: sampleOf(scraped, "collab_yjs_durable_ack_seconds_count"),
    refused: sampleOf(scraped, "collab_yjs_messages_refused_total", "code="),
    relayMessagesSent: sampleOf(scraped, "collab_yjs_relay_messages_sent_total"),
    updatesStored: sampleOf(scraped, "collab_update_log_insert_batch_size_sum"),
  };
  const ackLatencies = samples.flatMap((sample) => sample.ackLatencies);
  return {
    generators: count,
    ...(counted ? { metrics: counted } : {}),
    ...(scraped ? { eventLoopDelayP99Ms: sampleOf(scraped, "nodejs_eventloop_lag_p99_seconds") * 1000 } : {}),
    sent,
    delivered,
    expectedDeliveries: sent * (options.clientsPerRoom - 1),
    deliveredPerSecond: delivered / elapsed,
    latencyMs: percentiles(samples.flatMap((sample) => sample.latencies)),
    ackLatencyMs: ackLatencies.length > 0 ? percentiles(ackLatencies) : undefined,
    serverCpuSeconds: serverCpu,
    cpuMsPer1000Delivered: delivered > 0 ? (serverCpu * 1000 * 1000) / delivered : undefined,
    databaseCpuMsPer1000Delivered:
      databaseCpu !== undefined && delivered > 0 ? (databaseCpu * 1000 * 1000) / delivered : undefined,
    serverPeakRssKb: memoryOf(server.pid).peak,
    generator: {
      cpuSeconds: samples.reduce((sum, sample) => sum + Number(sample.generator.cpuSeconds), 0),
      loopDelayP99Ms: Math.max(...samples.map((sample) => Number(sample.generator.loopDelayP99Ms))),
      loopDelayMaxMs: Math.max(...samples.map((sample) => Number(sample.generator.loopDelayMaxMs))),
    },
  };
}

/** W6: generators split the crowd, start on one signal; this process measures the server until they are done. */
async function crowdRun(server: RunningServer, options: Omit<LoadOptions, "generator">) {
  const count = Math.max(1, Number(values.generators));
  const generators = Array.from({ length: count }, (_, index) =>
    startGenerator({ ...options, generator: { index, count } }),
  );
  await Promise.all(generators.map((generator) => generator.ready));
  const serverPids = [server.pid, ...(server.otherPids ?? [])];
  const serverCpuSeconds = () => serverPids.reduce((sum, pid) => sum + cpuSecondsOf(pid), 0);
  const cpuBefore = serverCpuSeconds();
  for (const generator of generators) generator.child.stdin?.write("START\n");
  const samples = (await Promise.all(generators.map((generator) => generator.result))) as unknown as CrowdSample[];
  const serverCpu = serverCpuSeconds() - cpuBefore;
  const sum = (pick: (sample: CrowdSample) => number) => samples.reduce((total, sample) => total + pick(sample), 0);
  const sockets = sum((sample) => sample.sockets);
  const openTimes = samples.flatMap((sample) => sample.openTimes);
  return {
    sockets,
    acknowledged: openTimes.length,
    refused: sum((sample) => sample.refused),
    unanswered: sockets - openTimes.length - sum((sample) => sample.refused),
    openAckMs: percentiles(openTimes),
    presenceMessages: sum((sample) => sample.presenceMessages),
    awarenessMessages: sum((sample) => sample.awarenessMessages),
    serverCpuSeconds: serverCpu,
    generators: count,
    generator: {
      cpuSeconds: sum((sample) => sample.generator.cpuSeconds),
      loopDelayP99Ms: Math.max(...samples.map((sample) => sample.generator.loopDelayP99Ms)),
    },
  };
}

async function runOnce(kind: ServerKind, workload: Workload): Promise<Record<string, unknown>> {
  const spec = specs[workload];
  const server = await startServer(kind, {
    // A crowd on one project needs a room that large: the default (200) refuses the rest with ROOM_FULL.
    environment: { MAX_SOCKETS_PER_PROJECT: String(Math.max(200, spec.clients)) },
    inspect: workload === "W3",
    profile: Boolean(values.profile),
    serviceFlags: String(values["service-flags"]).split(" ").filter(Boolean),
  });
  try {
    const options = {
      kind,
      url: server.url,
      workload,
      rooms: await server.rooms(spec.rooms, spec.users),
      clientsPerRoom: spec.clients,
      intervalMs: spec.interval,
      durationMs: spec.duration,
      serverPid: server.pid,
      inspectorUrl: server.inspectorUrl,
      opens: spec.opens,
      clockOrigin: Date.now(),
    };
    if (workload === "W6" || workload === "W6b") return await crowdRun(server, options);
    if (workload === "W3" || workload === "W4") {
      return await startGenerator({ ...options, generator: { index: 0, count: 1 } }).result;
    }
    return await typingRun(server, options, Math.max(1, Number(values.generators)));
  } finally {
    await server.stop();
  }
}

async function main() {
  if (typeof values.report === "string") {
    // Re-render a report from raw results, without running anything.
    const raw = JSON.parse(readFileSync(values.report, "utf8"));
    const report = renderReport({
      ...raw,
      servers: Object.keys(Object.values(raw.results)[0] ?? {}),
      workloads: Object.keys(raw.results),
    });
    process.stdout.write(`${report}\n`);
    if (values["write-doc"]) writeFileSync("docs/BENCHMARKS.md", report);
    process.exit(0);
  }
  const plan: Array<{ workload: Workload; kind: ServerKind; repetition: number }> = [];
  for (let repetition = 0; repetition < repetitions; repetition++) {
    for (const workload of workloads) {
      // Rotate the order each repetition, so no server always runs first (cold machine) or last.
      const rotated = servers.map(
        (_, i) => servers[(i + repetition + workloads.indexOf(workload)) % servers.length] as ServerKind,
      );
      for (const kind of rotated) plan.push({ workload, kind, repetition });
    }
  }
  const results: Record<string, Record<string, Array<Record<string, unknown>>>> = {};
  const started = Date.now();
  for (const [index, step] of plan.entries()) {
    process.stderr.write(
      `[${index + 1}/${plan.length}] ${step.workload} ${step.kind} (repetition ${step.repetition + 1}) … `,
    );
    const result = await runOnce(step.kind, step.workload);
    const byServer = results[step.workload] ?? {};
    results[step.workload] = byServer;
    byServer[step.kind] = [...(byServer[step.kind] ?? []), result];
    const latency = (result.latencyMs ?? result.ackLatencyMs) as { p50?: number } | undefined;
    const counted = result.metrics as Record<string, number> | undefined;
    if (result.eventLoopDelayP99Ms !== undefined) {
      process.stderr.write(`(event-loop delay p99 ${Number(result.eventLoopDelayP99Ms).toFixed(1)} ms) `);
    }
    if (counted) {
      process.stderr.write(
        `(metrics: ${counted.typed} typed, ${counted.updatesReceived} received, ${counted.durableAcks} acked, ` +
          `${counted.updatesStored} stored, ${counted.refused} refused) `,
      );
    }
    const headline =
      result.kbPerConnection !== undefined
        ? `${Number(result.heapKbPerConnection ?? result.kbPerConnection).toFixed(1)} KB/conn`
        : `p50 ${latency?.p50?.toFixed(1)} ms`;
    process.stderr.write(`${headline}, ${((Date.now() - started) / 1000).toFixed(0)} s so far\n`);
  }
  const machine = {
    date: new Date().toISOString(),
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
  mkdirSync("bench/results", { recursive: true });
  const file = `bench/results/${machine.date.replace(/[:.]/g, "-")}.json`;
  const settings = { warmupMs, cold: Boolean(values.cold), generators: Number(values.generators) };
  writeFileSync(file, JSON.stringify({ machine, specs, repetitions, settings, results }, null, 2));
  const report = renderReport({ machine, specs, repetitions, settings, results, servers, workloads });
  process.stdout.write(`${report}\nraw results: ${file}\n`);
  if (values["write-doc"]) writeFileSync("docs/BENCHMARKS.md", report);
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
