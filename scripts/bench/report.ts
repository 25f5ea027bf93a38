import { summarize } from "./stats.js";

type RunResult = Record<string, unknown>;

interface ReportInput {
  machine: { date: string; cpu: string; cores: number; memoryGiB: number; node: string };
  specs: Record<
    string,
    { rooms: number; clients: number; users?: number; interval: number; duration: number; opens: number }
  >;
  repetitions: number;
  results: Record<string, Record<string, RunResult[]>>;
  servers: string[];
  workloads: string[];
  settings?: { warmupMs: number; cold?: boolean; generators: number };
}

interface Metric {
  label: string;
  pick: (run: RunResult) => number | undefined;
  digits: number;
  /** Shown as a ratio against the floor. */
  ratio?: boolean;
}

const path = (run: RunResult, ...keys: string[]): number | undefined => {
  let value: unknown = run;
  for (const key of keys) value = (value as Record<string, unknown> | undefined)?.[key];
  return typeof value === "number" ? value : undefined;
};

const typingMetrics = (latencyKey: string): Metric[] => [
  { label: "p50 ms", pick: (run) => path(run, latencyKey, "p50"), digits: 1 },
  { label: "p95 ms", pick: (run) => path(run, latencyKey, "p95"), digits: 1 },
  { label: "p99 ms", pick: (run) => path(run, latencyKey, "p99"), digits: 1, ratio: true },
  { label: "max ms", pick: (run) => path(run, latencyKey, "max"), digits: 1 },
  { label: "delivered/s", pick: (run) => path(run, "deliveredPerSecond"), digits: 0 },
  {
    label: "delivered %",
    pick: (run) => {
      const delivered = path(run, "delivered");
      const expected = path(run, "expectedDeliveries");
      return delivered !== undefined && expected ? (100 * delivered) / expected : undefined;
    },
    digits: 1,
  },
  { label: "server CPU s", pick: (run) => path(run, "serverCpuSeconds"), digits: 2 },
  { label: "CPU ms/1k delivered", pick: (run) => path(run, "cpuMsPer1000Delivered"), digits: 1, ratio: true },
  { label: "DB CPU ms/1k", pick: (run) => path(run, "databaseCpuMsPer1000Delivered"), digits: 1 },
  { label: "peak RSS MB", pick: (run) => mb(path(run, "serverPeakRssKb")), digits: 0 },
  { label: "gen CPU s", pick: (run) => path(run, "generator", "cpuSeconds"), digits: 1 },
  {
    // What the clients themselves spent (the provider, or y-websocket's, or the floor's bare client): a typist's laptop.
    label: "client CPU ms/1k delivered",
    pick: (run) => {
      const cpu = path(run, "generator", "cpuSeconds");
      const delivered = path(run, "delivered");
      return cpu !== undefined && delivered ? (cpu * 1000 * 1000) / delivered : undefined;
    },
    digits: 1,
  },
  { label: "gen loop p99 ms", pick: (run) => path(run, "generator", "loopDelayP99Ms"), digits: 1 },
];

const mb = (kb: number | undefined) => (kb === undefined ? undefined : kb / 1024);

const crowdMetrics: Metric[] = [
  { label: "acknowledged", pick: (run) => path(run, "acknowledged"), digits: 0 },
  { label: "refused", pick: (run) => path(run, "refused"), digits: 0 },
  { label: "unanswered", pick: (run) => path(run, "unanswered"), digits: 0 },
  { label: "open ack p50 ms", pick: (run) => path(run, "openAckMs", "p50"), digits: 0 },
  { label: "p99 ms", pick: (run) => path(run, "openAckMs", "p99"), digits: 0, ratio: true },
  { label: "max ms", pick: (run) => path(run, "openAckMs", "max"), digits: 0 },
  { label: "presence msgs", pick: (run) => path(run, "presenceMessages"), digits: 0 },
  { label: "awareness msgs", pick: (run) => path(run, "awarenessMessages"), digits: 0 },
  { label: "server CPU s", pick: (run) => path(run, "serverCpuSeconds"), digits: 2, ratio: true },
  { label: "gen CPU s", pick: (run) => path(run, "generator", "cpuSeconds"), digits: 1 },
  { label: "gen loop p99 ms", pick: (run) => path(run, "generator", "loopDelayP99Ms"), digits: 0 },
];

const METRICS: Record<string, Metric[]> = {
  W6: crowdMetrics,
  W6b: crowdMetrics,
  W1: typingMetrics("latencyMs"),
  W2: typingMetrics("latencyMs"),
  W5: typingMetrics("ackLatencyMs"),
  W3: [
    { label: "heap KB/connection", pick: (run) => path(run, "heapKbPerConnection"), digits: 1, ratio: true },
    { label: "RSS KB/connection", pick: (run) => path(run, "rssAfterGcKbPerConnection"), digits: 1 },
    { label: "RSS KB/conn (no GC)", pick: (run) => path(run, "kbPerConnection"), digits: 1 },
    { label: "RSS after MB", pick: (run) => mb(path(run, "rssAfterKb")), digits: 0 },
    { label: "connect s", pick: (run) => path(run, "connectSeconds"), digits: 1 },
    { label: "connect CPU s", pick: (run) => path(run, "connectCpuSeconds"), digits: 2, ratio: true },
    { label: "again after GC: s", pick: (run) => path(run, "connectAfterGcSeconds"), digits: 1 },
    { label: "again after GC: CPU s", pick: (run) => path(run, "connectAfterGcCpuSeconds"), digits: 2, ratio: true },
    { label: "peak RSS MB", pick: (run) => mb(path(run, "serverPeakRssKb")), digits: 0 },
  ],
  W4: [
    { label: "p50 ms", pick: (run) => path(run, "latencyMs", "p50"), digits: 1, ratio: true },
    { label: "p95 ms", pick: (run) => path(run, "latencyMs", "p95"), digits: 1 },
    { label: "p99 ms", pick: (run) => path(run, "latencyMs", "p99"), digits: 1 },
    { label: "max ms", pick: (run) => path(run, "latencyMs", "max"), digits: 1 },
    { label: "document KB", pick: (run) => (path(run, "documentBytes") ?? 0) / 1024, digits: 0 },
  ],
};

const TITLES: Record<string, string> = {
  W1: "W1 hot room: latency from a local change to its observation at every other client",
  W2: "W2 many rooms",
  W3: "W3 capacity: synced, idle connections",
  W4: "W4 open: from connecting to synced, 1 MB document",
  W6: "W6 crowd: every socket opens one project within a second",
  W6b: "W6b crowd over many projects: every socket opens one of the projects within a second",
  W5: "W5 durable ack: from a local change to its acknowledgement (the floor acks on relay; the reference has no acks)",
};

function describe(workload: string, spec: ReportInput["specs"][string]): string {
  switch (workload) {
    case "W3":
      return `${spec.rooms} rooms × ${spec.clients} clients. Connect s and CPU: the time, and the server's CPU, from the first connection to the last one synced, on the server as its setup left it. Then all disconnect, and 12 s later (the service keeps a document 10 s after its last socket leaves) they connect again: heap and RSS KB/connection are the server's JavaScript heap and Buffers (and its RSS) after two full collections, read through the inspector before that second connect and once all are synced and idle for 3 s; "no GC" is RSS as it happened to be, which carries garbage and is noisy. "Again after GC" is the second connect, right after those forced collections, which discard optimized code and shrink the heap's limits`;
    case "W4":
      return `${spec.opens} opens, one after another`;
    case "W6":
    case "W6b":
      return `${spec.rooms} project(s) × ${spec.clients} sockets (${spec.users} accounts per project, so ${spec.clients / (spec.users ?? spec.clients)} sockets per user), arriving evenly over 1 s; presence and awareness messages are what all clients received until 2 s of quiet (the reference has no presence), server CPU over the same time`;
    default:
      return `${spec.rooms} room(s) × ${spec.clients} clients, one 16-character insert per client every ${spec.interval} ms for ${spec.duration / 1000} s`;
  }
}

function cell(values: number[], digits: number): string {
  const summary = summarize(values);
  if (!summary) return "n/a";
  const format = (value: number) => value.toFixed(digits);
  return values.length > 1
    ? `${format(summary.median)} (${format(summary.min)}–${format(summary.max)})`
    : format(summary.median);
}

export function renderReport(input: ReportInput): string {
  const lines: string[] = [
    "# Benchmarks",
    "",
    `Measured ${input.machine.date.slice(0, 10)} on ${input.machine.cores} × ${input.machine.cpu}, ${input.machine.memoryGiB} GiB, Node ${input.machine.node}, by \`npm run bench\`.`,
    `Each (server, workload) ran ${input.repetitions} time(s) in rotated order, every run on freshly started processes; cells are the median with the range (min–max).`,
    "Servers: **default** is this project exactly as `npm start` runs it (`dist/main.js`, the embedded database on a worker thread inside it, its CPU counted with the service's, `/metrics` read twice for the event loop's delay);",
    "**default-raw** is the same server driven by clients that speak the protocol directly (open, y-protocols sync, acks; no awareness), which separates the service's cost from the provider's;",
    "**service** is the same build with the embedded database in a process of its own (separate-db: its CPU reported apart as `DB CPU`); both have real accounts, projects and access checks and are driven by the shipped `ProjectProvider`, awareness on, each client showing a user as editor bindings do;",
    "**floor** is a plain Socket.IO 4.8 relay (`socket.to(room).emit`, default parser, no document, no database);",
    "**reference** is the y-websocket server (`@y/websocket-server`, in memory), driven by y-websocket's provider;",
    "**hocuspocus** is Hocuspocus's server (`@hocuspocus/server` 3, the last major version for Node 20, in memory, no extensions), driven by its own provider.",
    "Ratios are against the floor, the reference and Hocuspocus measured in the same run.",
    "",
    input.settings?.cold
      ? "Typing workloads (W1, W2, W5) are measured from their first second (`--cold`: no warm-up, as in a user's first minutes after `npm start`),"
      : `Typing workloads (W1, W2, W5) type for ${(input.settings?.warmupMs ?? 0) / 1000} s before the measured window (the JIT compilers of every process settle; nothing sent then is counted; \`--cold\` measures from the first second),`,
    `from ${input.settings?.generators ?? 1} load generator process(es); each insert carries its send time, so any generator can time its arrival.`,
    "",
    "Reading these figures: server CPU counts the server process only (for default, its database thread included); for the service, `DB CPU ms/1k` is its database",
    "process, which the others do not have. The service does more per update than the others: it checks the sender's role,",
    "validates the bytes, stores every update durably (group commit: inserts at least 20 ms apart, `STORE_COMMIT_INTERVAL_MS`)",
    "and acknowledges it once stored. It sends Yjs payloads of up to 64 KiB as base64 text (one pre-framed WebSocket frame",
    "per broadcast; a binary Socket.IO argument is a second frame), larger ones, and those past 4 KiB for one socket alone,",
    "as binary, and relays a busy document's",
    "changes merged, at most every 5 ms (`DOC_RELAY_INTERVAL_MS`); the floor relays binary, one frame pair per update.",
    "Absolute figures move between sessions for every server alike (by up to a third on the same CPU model, more when the",
    "workplace's machine changes model, as it did from an AMD EPYC to an Intel Xeon on 2026-11-26): read the ratios within",
    "one run.",
    "When `gen loop p99 ms` is high, the load generator itself was saturated and latencies include its queueing: compare",
    "servers within a run, not runs across machines. Re-run with `npm run bench -- --workloads W1 --reps 3`, override a",
    "workload with `--W1.clients 10 --W1.duration 5000`, add `--profile` for CPU profiles of the service under bench/profiles/,",
    "and `--write-doc` to rewrite this file; `npm run bench -- --report bench/results/<file>.json --write-doc` re-renders it.",
    "[PERFORMANCE.md](PERFORMANCE.md) explains the hot path and what its profiles showed.",
    "",
  ];
  for (const workload of input.workloads) {
    const metrics = METRICS[workload] ?? [];
    const spec = input.specs[workload];
    lines.push(`## ${TITLES[workload] ?? workload}`, "", spec ? `${describe(workload, spec)}.` : "", "");
    lines.push(`| server | ${metrics.map((metric) => metric.label).join(" | ")} |`);
    lines.push(`| --- | ${metrics.map(() => "---").join(" | ")} |`);
    const columnValues = (server: string, metric: Metric) =>
      (input.results[workload]?.[server] ?? [])
        .map(metric.pick)
        .filter((value): value is number => value !== undefined);
    for (const server of input.servers) {
      lines.push(
        `| ${server} | ${metrics.map((metric) => cell(columnValues(server, metric), metric.digits)).join(" | ")} |`,
      );
    }
    const ratioMetrics = metrics.filter((metric) => metric.ratio);
    // The floor is what any Socket.IO service pays; issue targets are stated against the reference and Hocuspocus.
    for (const baseline of ["floor", "reference", "hocuspocus"].filter((each) => input.servers.includes(each))) {
      if (ratioMetrics.length === 0) break;
      const base = (metric: Metric) => summarize(columnValues(baseline, metric))?.median;
      lines.push("", `Ratios against the ${baseline} (${ratioMetrics.map((metric) => metric.label).join(", ")}):`, "");
      for (const server of input.servers.filter((each) => each !== baseline)) {
        const ratios = ratioMetrics.map((metric) => {
          const mine = summarize(columnValues(server, metric))?.median;
          const of = base(metric);
          return mine !== undefined && of ? `${metric.label} ${(mine / of).toFixed(2)}×` : `${metric.label} n/a`;
        });
        lines.push(`- ${server}: ${ratios.join(", ")}`);
      }
    }
    lines.push("");
  }
  return lines.join("\n");
}
