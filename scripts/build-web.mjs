// Builds the web app (src/web) into dist/web with esbuild: hashed, minified assets and an index.html naming them.
// Skips the work when nothing it is built from changed since the last build (`--force` builds anyway).
import { copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = join(root, "dist", "web");
const inputs = ["src/web", "src/client", "src/protocol", "src/errors.ts", "src/projects/roles.ts", "package-lock.json"];

async function newestChange(path) {
  const info = await stat(path);
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(path);
  const times = await Promise.all(entries.map((entry) => newestChange(join(path, entry))));
  return Math.max(info.mtimeMs, ...times);
}

async function upToDate() {
  try {
    const built = (await stat(join(out, "index.html"))).mtimeMs;
    const changed = Math.max(...(await Promise.all(inputs.map((input) => newestChange(join(root, input))))));
    return built > changed;
  } catch {
    return false;
  }
}

if (!process.argv.includes("--force") && (await upToDate())) process.exit(0);

const started = performance.now();
await rm(out, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { app: "src/web/main.ts" },
  bundle: true,
  minify: true,
  sourcemap: true,
  format: "esm",
  target: ["es2022"],
  outdir: "dist/web/assets",
  entryNames: "[name]-[hash]",
  // The app uses the client library as any app would, by its package name; bundled from source.
  alias: { "collab-backend/client": "./src/client/index.ts" },
  tsconfig: "src/web/tsconfig.json",
  metafile: true,
  legalComments: "none",
  logLevel: "warning",
});
const assets = {};
for (const [path, output] of Object.entries(result.metafile.outputs)) {
  if (output.entryPoint && path.endsWith(".js")) assets["app.js"] = relative("dist/web/assets", path);
  if (path.endsWith(".css")) assets["app.css"] = relative("dist/web/assets", path);
}
const template = await readFile(join(root, "src/web/index.html"), "utf8");
const html = template.replace(/\{\{(app\.(?:js|css))\}\}/g, (_match, name) => {
  if (!assets[name]) throw new Error(`the build made no ${name}`);
  return assets[name];
});
await mkdir(out, { recursive: true });
await copyFile(join(root, "src/web/favicon.svg"), join(out, "favicon.svg"));
await writeFile(join(out, "index.html"), html);
const bytes = Object.values(result.metafile.outputs)
  .filter((_output, index) => !Object.keys(result.metafile.outputs)[index].endsWith(".map"))
  .reduce((sum, output) => sum + output.bytes, 0);
process.stdout.write(
  `web app built in ${Math.round(performance.now() - started)} ms (${Math.round(bytes / 1024)} KB)\n`,
);
