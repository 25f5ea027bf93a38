// npm run build: the server (tsc, incremental) only when something it compiles changed since the last build,
// then the web app (scripts/build-web.mjs, which skips itself likewise). `--force` rebuilds both.
import { spawnSync } from "node:child_process";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { newestChange } from "./newest-change.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const force = process.argv.includes("--force");

async function serverUpToDate() {
  try {
    const built = (await stat(join(root, "dist", ".tsbuildinfo"))).mtimeMs;
    const sources = ["src", "tsconfig.json", "tsconfig.build.json", "package-lock.json"].map((path) =>
      join(root, path),
    );
    return built > (await newestChange(sources, (path) => !path.includes(`${join("src", "web")}`)));
  } catch {
    return false;
  }
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (force || !(await serverUpToDate())) {
  run(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"]);
}
run(process.execPath, [join(root, "scripts", "build-web.mjs"), ...(force ? ["--force"] : [])]);
