/** The child processes of a benchmark run: started with their output watched, and never left running after it. */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";

export const children = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});

/** Starts a process; resolves with the first capture of `pattern` in its output (its URL), rejects if it exits first. */
export function launch(command: string, args: string[], environment: Record<string, string>, pattern: RegExp) {
  const child = spawn(command, args, { env: { ...process.env, ...environment }, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  const output: string[] = [];
  return new Promise<{ child: ChildProcess; match: string; output: string[] }>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`${args.join(" ")} exited with ${code}:\n${output.join("\n")}`)));
    const onLine = (line: string) => {
      output.push(line);
      const match = pattern.exec(line);
      if (match) resolve({ child, match: match[1] as string, output });
    };
    onLines(child, onLine);
  });
}

/** Stops a process and waits for it to exit; it is no longer one of `children`. */
export function stop(child: ChildProcess, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.removeAllListeners("exit");
    child.once("exit", () => resolve());
    child.kill(signal);
    children.delete(child);
  });
}

export const tsx = (script: string) => ["--import", "tsx", script];

/** Every line the child prints, on stdout or stderr. */
export function onLines(child: ChildProcess, onLine: (line: string) => void): void {
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", onLine);
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on("line", onLine);
}
