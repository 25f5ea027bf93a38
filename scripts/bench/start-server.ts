/** Starts one of the servers under test, each as its own process, ready for a workload's rooms. */
import { randomBytes } from "node:crypto";
import { launch, stop, tsx } from "./child-processes.js";
import type { Room, ServerKind } from "./clients.js";
import { INSPECTOR_LINE } from "./inspector.js";

export interface ServerOptions {
  /** A CPU profile of the service per run under bench/profiles/, written on a clean SIGTERM exit. */
  profile: boolean;
  /** Node flags for the service process alone, such as `--perf-prof` (docs/PERFORMANCE.md, profiling with perf). */
  serviceFlags: string[];
  /** Settings for every node of this service (the floor, the reference and Hocuspocus take none). */
  environment?: Record<string, string>;
  /** The inspector on (W3 reads the server's memory after a full collection through it). */
  inspect?: boolean;
}

const inspectFlags = (options: ServerOptions) => (options.inspect ? ["--inspect=127.0.0.1:0"] : []);

/** The inspector's URL from a server's first lines, when it was started with it. */
function inspectorOf(output: string[]): string | undefined {
  for (const line of output) {
    const match = INSPECTOR_LINE.exec(line);
    if (match) return match[1];
  }
  return undefined;
}

export interface RunningServer {
  /** For a cluster, every node's URL, comma-separated. */
  url: string;
  pid: number;
  /** More processes of the server under test whose CPU counts with its own (a cluster's other nodes, Redis). */
  otherPids?: number[];
  /** The service's database process: its CPU is reported beside the server's, not in it. */
  databasePid?: number;
  stop(): Promise<void>;
  rooms(count: number, members: number): Promise<Room[]>;
  /** GET /metrics, where it is on. */
  scrape?(): Promise<string>;
  /** Whether `scrape` is for the run's own sake (metrics' cost), or only to read the event loop's delay. */
  scrapeContinuously?: boolean;
  /** The inspector of the process `pid`, when started with `inspect`. */
  inspectorUrl?: string;
}

async function post(url: string, token: string | undefined, body: unknown) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, { id: string } & Record<string, string>>;
}

async function inBatches<T>(count: number, make: (index: number) => Promise<T>, size = 20): Promise<T[]> {
  const results: T[] = [];
  for (let start = 0; start < count; start += size) {
    results.push(
      ...(await Promise.all(Array.from({ length: Math.min(size, count - start) }, (_, i) => make(start + i)))),
    );
  }
  return results;
}

/** Registered accounts and projects with every account a member, through the service's API at `url`. */
function roomsOn(url: string): RunningServer["rooms"] {
  return async (count, members) => {
    const users = await inBatches(members, (i) =>
      post(`${url}/api/auth/register`, undefined, {
        email: `bench-${i}-${randomBytes(4).toString("hex")}@example.test`,
        password: "bench password",
        name: `Bench ${i}`,
      }),
    );
    const tokens = users.map((user) => user.token as unknown as string);
    return inBatches(count, async () => {
      const { project } = await post(`${url}/api/projects`, tokens[0], { name: "bench" });
      for (const user of users.slice(1)) {
        await post(`${url}/api/projects/${project?.id}/members`, tokens[0], {
          email: user.user?.email,
          role: "editor",
        });
      }
      return { id: project?.id as string, tokens };
    });
  };
}

const startDatabase = () =>
  launch(process.execPath, ["dist/db/embedded/main.js", "--port", "0"], {}, /^(mongodb:\/\/\S+)$/);

/** One node of this service as `npm start` runs it (the compiled build), on the database at `databaseUri`. */
function startNode(options: ServerOptions, environment: Record<string, string>) {
  const profile = options.profile ? ["--cpu-prof", "--cpu-prof-dir=bench/profiles"] : [];
  return launch(
    process.execPath,
    [...profile, ...inspectFlags(options), ...options.serviceFlags, "dist/main.js"],
    { PORT: "0", AUTH_RATE_LIMIT_PER_MINUTE: "1000000", LOG_LEVEL: "info", ...options.environment, ...environment },
    /listening on (http:\/\/\S+)"/,
  );
}

/**
 * This service as `npm start` runs it (the compiled build), against the embedded database in a process of its own;
 * with `metricsToken`, /metrics is on, behind that token.
 */
async function startService(options: ServerOptions, metricsToken?: string): Promise<RunningServer> {
  const database = await startDatabase();
  const service = await startNode(options, {
    MONGODB_URI: `${database.match}bench`,
    JWT_SECRET: randomBytes(32).toString("hex"),
    ...(metricsToken ? { METRICS_TOKEN: metricsToken } : {}),
  });
  const url = service.match;
  return {
    url,
    pid: service.child.pid as number,
    inspectorUrl: inspectorOf(service.output),
    databasePid: database.child.pid as number,
    async stop() {
      await stop(service.child, options.profile ? "SIGTERM" : "SIGKILL");
      await stop(database.child);
    },
    rooms: roomsOn(url),
    ...(metricsToken && { scrape: scraper(url, metricsToken), scrapeContinuously: true }),
  };
}

const scraper = (url: string, token: string) => async () =>
  (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();

/**
 * This service exactly as `npm start` runs it: no MONGODB_URI, so the embedded database runs inside the process
 * (on a worker thread), and its CPU counts as the service's. /metrics is read twice, to report the event loop's delay
 * over the measured window.
 */
async function startDefault(options: ServerOptions): Promise<RunningServer> {
  const token = randomBytes(24).toString("hex");
  const service = await startNode(options, { JWT_SECRET: randomBytes(32).toString("hex"), METRICS_TOKEN: token });
  const url = service.match;
  return {
    url,
    pid: service.child.pid as number,
    inspectorUrl: inspectorOf(service.output),
    stop: () => stop(service.child, options.profile ? "SIGTERM" : "SIGKILL"),
    rooms: roomsOn(url),
    scrape: scraper(url, token),
  };
}

/** This service on two nodes sharing a redis-server of the run's own and one database. */
async function startCluster(options: ServerOptions): Promise<RunningServer> {
  const redisPort = 20_000 + Math.floor(Math.random() * 20_000);
  const redis = await launch(
    "redis-server",
    ["--port", String(redisPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    {},
    /(Ready to accept connections)/,
  );
  const database = await startDatabase();
  const shared = {
    MONGODB_URI: `${database.match}bench`,
    JWT_SECRET: randomBytes(32).toString("hex"),
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
  };
  const nodes = await Promise.all(["bench-1", "bench-2"].map((id) => startNode(options, { ...shared, NODE_ID: id })));
  return {
    url: nodes.map((node) => node.match).join(","),
    pid: nodes[0]?.child.pid as number,
    otherPids: [nodes[1]?.child.pid as number, redis.child.pid as number],
    databasePid: database.child.pid as number,
    async stop() {
      for (const node of nodes) await stop(node.child, options.profile ? "SIGTERM" : "SIGKILL");
      await stop(database.child);
      await stop(redis.child);
    },
    rooms: roomsOn(nodes[0]?.match as string),
  };
}

async function startScript(script: string, options: ServerOptions): Promise<RunningServer> {
  const server = await launch(process.execPath, [...inspectFlags(options), ...tsx(script)], {}, /^listening on (\S+)/);
  return {
    url: server.match,
    pid: server.child.pid as number,
    inspectorUrl: inspectorOf(server.output),
    stop: () => stop(server.child),
    rooms: async (count) => Array.from({ length: count }, () => ({ id: `room-${randomBytes(6).toString("hex")}` })),
  };
}

export function startServer(kind: ServerKind, options: ServerOptions): Promise<RunningServer> {
  if (kind === "service" || kind === "service-raw") return startService(options);
  if (kind === "metrics") return startService(options, randomBytes(24).toString("hex"));
  if (kind === "default" || kind === "default-raw") return startDefault(options);
  if (kind === "cluster") return startCluster(options);
  return startScript(`scripts/bench/servers/${kind}.ts`, options);
}
