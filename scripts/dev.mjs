// npm run dev: the service, rebuilt and restarted on every change of the server's sources, and the web app rebuilt
// on every change of its own. The database runs in a process of its own (the embedded server, unless MONGODB_URI is
// set), and JWT_SECRET stays the same for the whole session, so accounts, documents and sign-ins survive restarts.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const children = [];

function start(args, options = {}) {
  const child = spawn(process.execPath, args, { cwd: root, stdio: "inherit", ...options });
  children.push(child);
  return child;
}

function stopAll() {
  for (const child of children) child.kill("SIGTERM");
}
process.on("SIGINT", stopAll);
process.on("SIGTERM", stopAll);

/** The embedded database's URI, once its process prints it. */
function startDatabase() {
  const database = start(["dist/db/embedded/main.js", "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    database.once("exit", (code) => reject(new Error(`the database exited (${code})`)));
    createInterface({ input: database.stdout }).once("line", (uri) => resolve(`${uri.replace(/\/$/, "")}/collab`));
  });
}

const build = spawn(process.execPath, ["scripts/build.mjs"], { cwd: root, stdio: "inherit" });
const built = await new Promise((resolve) => build.once("exit", (code) => resolve(code === 0)));
if (!built) process.exit(1);

const env = {
  ...process.env,
  MONGODB_URI: process.env.MONGODB_URI ?? (await startDatabase()),
  JWT_SECRET: process.env.JWT_SECRET ?? randomBytes(48).toString("base64url"),
  // node --watch restarts with SIGTERM, which drains: a restart on every save must not wait for that.
  DRAIN_SECONDS: process.env.DRAIN_SECONDS ?? "0",
};
start(["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json", "--watch", "--preserveWatchOutput"]);
start(["scripts/build-web.mjs", "--watch"]);
// Restarted on the server's own output only: a rebuilt web app is served as it is, with no restart.
const serverOutput = (await readdir(join(root, "dist"))).filter((entry) => entry !== "web" && !entry.startsWith("."));
const watched = serverOutput.map((entry) => `--watch-path=${join("dist", entry)}`);
start([...watched, "--watch-preserve-output", "dist/main.js"], { env });
