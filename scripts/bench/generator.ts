import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { children, onLines, tsx } from "./child-processes.js";
import type { LoadOptions } from "./load.js";

export interface Generator {
  child: ChildProcess;
  ready: Promise<void>;
  result: Promise<Record<string, unknown>>;
}

/** One load generator process; its options go through a file (a thousand rooms' tokens do not fit in argv). */
export function startGenerator(options: LoadOptions): Generator {
  const optionsFile = join(tmpdir(), `bench-load-${process.pid}-${randomBytes(4).toString("hex")}.json`);
  writeFileSync(optionsFile, JSON.stringify(options));
  const child = spawn(process.execPath, [...tsx("scripts/bench/load.ts"), optionsFile], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  children.add(child);
  const output: string[] = [];
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  const result = new Promise<Record<string, unknown>>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`load generator exited with ${code}:\n${output.join("\n")}`)));
    const onLine = (line: string) => {
      output.push(line);
      if (line === "READY") markReady();
      if (line.startsWith("RESULT ")) {
        rmSync(optionsFile, { force: true });
        children.delete(child);
        resolve(JSON.parse(line.slice("RESULT ".length)) as Record<string, unknown>);
      }
    };
    onLines(child, onLine);
  });
  // A generator that dies before READY must not leave the run waiting.
  result.catch(() => markReady());
  return { child, ready, result };
}
