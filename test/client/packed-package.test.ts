import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as Y from "yjs";
import { until } from "../helpers/collab.js";
import { useService } from "../helpers/lifecycle.js";
import { projectWithTeam } from "../helpers/projects.js";

const run = promisify(execFile);
const running = useService();
const versionOf = (name: string) =>
  (JSON.parse(readFileSync(join("node_modules", name, "package.json"), "utf8")) as { version: string }).version;

/** What the app's bundle exports: a provider over a fresh Y.Doc of the app's own Yjs. */
interface Bundle {
  open(url: string, token: string, projectId: string): { doc: Y.Doc; whenSynced(): Promise<void>; destroy(): void };
}

let directory: string;
let bundleSource: string;
let bundle: Bundle;

/**
 * As an app installs the client: `npm pack` of this repository (built by `npm test` before the suite runs), installed
 * with a plain `npm install` into an app that has its own yjs, bundled with esbuild.
 */
beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), "collab-packed-"));
  const { stdout } = await run("npm", ["pack", "--ignore-scripts", "--pack-destination", directory], {
    maxBuffer: 16 * 1024 * 1024,
  });
  const tarball = stdout.trim().split("\n").at(-1) as string;
  const app = join(directory, "app");
  mkdirSync(app);
  writeFileSync(
    join(app, "package.json"),
    JSON.stringify({
      name: "app",
      private: true,
      type: "module",
      dependencies: {
        yjs: `^${versionOf("yjs")}`,
        "collab-backend": `file:../${tarball}`,
        esbuild: versionOf("esbuild"),
      },
    }),
  );
  await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], { cwd: app });
  writeFileSync(
    join(app, "app.mjs"),
    [
      'import * as Y from "yjs";',
      'import { ProjectProvider } from "collab-backend/client";',
      "export function open(url, token, projectId) {",
      '  return new ProjectProvider({ url, token, projectId, doc: new Y.Doc(), socketOptions: { transports: ["websocket"] } });',
      "}",
    ].join("\n"),
  );
  await run(
    process.execPath,
    [
      "-e",
      `require("esbuild").buildSync({ entryPoints: ["app.mjs"], bundle: true, platform: "node", format: "esm",
        outfile: "bundle.mjs", banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" } })`,
    ],
    { cwd: app },
  );
  bundleSource = readFileSync(join(app, "bundle.mjs"), "utf8");
  bundle = (await import(join(app, "bundle.mjs"))) as Bundle;
}, 180_000);

afterAll(() => {
  if (directory) rmSync(directory, { recursive: true, force: true });
});

describe("the client as an app installs it", () => {
  it("bundles exactly one copy of Yjs, and two bundled clients converge", async () => {
    expect(bundleSource.match(/Yjs was already imported/g)).toHaveLength(1);
    const team = await projectWithTeam(running.url);
    const first = bundle.open(running.url, team.owner.token, team.projectId);
    const second = bundle.open(running.url, team.editor.token, team.projectId);
    try {
      await Promise.all([first.whenSynced(), second.whenSynced()]);
      first.doc.getText("body").insert(0, "one copy ");
      second.doc.getText("body").insert(0, "of Yjs ");
      const text = (doc: Y.Doc) => doc.getText("body").toString();
      await until([first.doc, second.doc], () => text(first.doc) === text(second.doc) && text(first.doc).length === 16);
    } finally {
      first.destroy();
      second.destroy();
    }
  });
});
