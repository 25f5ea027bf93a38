// Builds the web app (src/web) into dist/web with esbuild: hashed, minified assets and an index.html naming them.
// Skips the work when nothing it is built from changed since the last build; `--force` builds anyway, `--watch`
// rebuilds on every change (npm run dev).
import { copyFile, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { newestChange } from "./newest-change.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = join(root, "dist", "web");
const inputs = ["src/web", "src/client", "src/protocol", "src/errors.ts", "src/projects/roles.ts", "package-lock.json"];

async function upToDate() {
  try {
    const built = (await stat(join(out, "index.html"))).mtimeMs;
    return built > (await newestChange(inputs.map((input) => join(root, input))));
  } catch {
    return false;
  }
}

const options = {
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
};

/** Writes index.html naming this build's hashed assets, and the files served beside it; returns the size in KB. */
async function writePage(result) {
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
  const bytes = Object.entries(result.metafile.outputs)
    .filter(([path]) => !path.endsWith(".map"))
    .reduce((sum, [, output]) => sum + output.bytes, 0);
  return Math.round(bytes / 1024);
}

const watching = process.argv.includes("--watch");
if (watching) {
  // Each rebuild writes new hashed names: the old ones go first, so the folder holds one build.
  const pageWriter = {
    name: "page-writer",
    setup(build) {
      build.onStart(() => rm(join(out, "assets"), { recursive: true, force: true }));
      build.onEnd(async (result) => {
        if (result.errors.length === 0) process.stdout.write(`web app rebuilt (${await writePage(result)} KB)\n`);
      });
    },
  };
  const context = await esbuild.context({ ...options, plugins: [pageWriter] });
  await context.watch();
} else if (process.argv.includes("--force") || !(await upToDate())) {
  const started = performance.now();
  await rm(out, { recursive: true, force: true });
  const kilobytes = await writePage(await esbuild.build(options));
  process.stdout.write(`web app built in ${Math.round(performance.now() - started)} ms (${kilobytes} KB)\n`);
}
