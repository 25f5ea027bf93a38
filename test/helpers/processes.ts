import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";

export interface Started {
  child: ChildProcess;
  /** What the process printed that `pattern` captured (a URL or URI). */
  address: string;
  lines: string[];
}

const children = new Set<ChildProcess>();

/** Runs a TypeScript entry point with tsx and resolves once a line matches `pattern`. */
export function startProcess(
  entry: string,
  args: string[],
  environment: Record<string, string>,
  pattern: RegExp,
): Promise<Started> {
  const child = spawn(process.execPath, ["--import", "tsx", entry, ...args], {
    env: { ...process.env, ...environment },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) =>
      reject(new Error(`${entry} exited early with ${code}:\n${lines.join("\n")}`));
    child.once("exit", onExit);
    const onLine = (line: string) => {
      lines.push(line);
      const match = pattern.exec(line);
      if (match) {
        child.off("exit", onExit);
        resolve({ child, address: match[1] as string, lines });
      }
    };
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", onLine);
    createInterface({ input: child.stderr as NodeJS.ReadableStream }).on("line", onLine);
  });
}

export const LISTENING = /listening on (http:\/\/\S+)"/;

export function startServiceProcess(environment: Record<string, string>): Promise<Started> {
  return startProcess("src/main.ts", [], { PORT: "0", LOG_LEVEL: "info", ...environment }, LISTENING);
}

export function killAll(): void {
  for (const child of children) child.kill("SIGKILL");
  children.clear();
}
