import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { afterAll, afterEach, beforeAll } from "vitest";
import { destroyProviders } from "./collab.js";
import { killAll, type Started, startProcess, startServiceProcess } from "./processes.js";
import { startRedis, type TestRedis } from "./redis.js";
import { closeAllSockets } from "./sockets.js";

export interface TestNode {
  url: string;
  id: string;
  process: Started;
  kill(): Promise<void>;
}

export interface TestCluster {
  nodes: TestNode[];
  redis: TestRedis;
  databaseUri: string;
  /** Starts one more node against the same database and Redis. */
  addNode(): Promise<TestNode>;
}

/**
 * `count` service nodes as real processes, sharing one database (`npm run
 * db`'s embedded server, in a process of its own) and one redis-server of
 * the test's own. Processes are killed by `killAll` (processes.ts); Redis
 * by the caller's `redis.stop()`.
 */
export async function startCluster(count: number, environment: Record<string, string> = {}): Promise<TestCluster> {
  const [database, redis] = await Promise.all([
    startProcess("src/db/embedded/main.ts", ["--port", "0"], {}, /^(mongodb:\/\/\S+)$/),
    startRedis(),
  ]);
  const databaseUri = `${database.address}cluster`;
  const shared = {
    MONGODB_URI: databaseUri,
    REDIS_URL: redis.url,
    JWT_SECRET: randomBytes(32).toString("hex"),
    AUTH_RATE_LIMIT_PER_MINUTE: "100000",
    LOG_LEVEL: "info",
    ...environment,
  };
  let next = 0;
  const addNode = async (): Promise<TestNode> => {
    const id = `node-${++next}`;
    const started = await startServiceProcess({ ...shared, NODE_ID: id });
    return {
      url: started.address,
      id,
      process: started,
      async kill() {
        const exited = once(started.child, "exit");
        started.child.kill("SIGKILL");
        await exited;
      },
    };
  };
  const nodes = [];
  for (let i = 0; i < count; i++) nodes.push(await addNode());
  return { nodes, redis, databaseUri, addNode };
}

/**
 * A cluster for the test file (started before its tests, its processes and
 * Redis stopped after); every client a test opened is closed after that test.
 */
export function useCluster(count: number, environment: Record<string, string> = {}): TestCluster {
  let running: TestCluster | undefined;
  beforeAll(async () => {
    running = await startCluster(count, environment);
  }, 60_000);
  afterEach(() => {
    destroyProviders();
    closeAllSockets();
  });
  afterAll(async () => {
    killAll();
    await running?.redis.stop();
  });
  const current = () => {
    if (!running) throw new Error("the cluster is not started yet");
    return running;
  };
  return {
    get nodes() {
      return current().nodes;
    },
    get redis() {
      return current().redis;
    },
    get databaseUri() {
      return current().databaseUri;
    },
    addNode: () => current().addNode(),
  };
}
