/**
 * `npm run cluster -- --nodes 3`: a local cluster for trying things out. The
 * embedded database as its own process (the nodes must share it), a check
 * that Redis answers at REDIS_URL (default the local one), then N service
 * nodes on consecutive ports from PORT (default 3000), one shared JWT
 * secret. Ctrl-C stops them all.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { createClient } from "redis";

const { values } = parseArgs({
  options: { nodes: { type: "string", default: "2" }, port: { type: "string", default: process.env.PORT ?? "3000" } },
});
const count = Number(values.nodes);
const firstPort = Number(values.port);
if (!Number.isInteger(count) || count < 1 || count > 16) {
  process.stderr.write("--nodes must be a whole number from 1 to 16\n");
  process.exit(1);
}
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const children: ChildProcess[] = [];

function start(args: string[], environment: Record<string, string>, pattern: RegExp, name: string): Promise<string> {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...environment },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`${name} exited with ${code}`)));
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream as NodeJS.ReadableStream }).on("line", (line) => {
        const match = pattern.exec(line);
        if (match) resolve(match[1] as string);
        else if (/"level":(40|50|60)/.test(line)) process.stderr.write(`[${name}] ${line}\n`);
      });
    }
  });
}

/** Every node at once: SIGINT stops each without draining (a drain hands sockets to other nodes; none is left). */
function stopAll(): void {
  for (const child of children) child.kill("SIGINT");
}

async function main(): Promise<void> {
  const redis = createClient({ url: redisUrl, socket: { reconnectStrategy: false, connectTimeout: 2000 } });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    await redis.close();
  } catch {
    throw new Error(`no Redis answers at ${redisUrl}: start one (redis-server) or set REDIS_URL`);
  }
  const database = await start(["dist/db/embedded/main.js", "--port", "0"], {}, /^(mongodb:\/\/\S+)$/, "database");
  const secret = randomBytes(48).toString("base64url");
  const urls = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      start(
        ["dist/main.js"],
        {
          PORT: String(firstPort + i),
          MONGODB_URI: `${database}collab`,
          REDIS_URL: redisUrl,
          JWT_SECRET: secret,
          NODE_ID: `node-${i + 1}`,
        },
        /listening on (http:\/\/\S+)"/,
        `node-${i + 1}`,
      ),
    ),
  );
  process.stdout.write(`database  ${database}collab\nredis     ${redisUrl}\n`);
  for (const [i, url] of urls.entries()) process.stdout.write(`node-${i + 1}    ${url}\n`);
  process.stdout.write("Ctrl-C stops them all.\n");
}

process.on("SIGINT", () => {
  stopAll();
  process.exit(0);
});
process.on("SIGTERM", () => {
  stopAll();
  process.exit(0);
});
main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  stopAll();
  process.exit(1);
});
