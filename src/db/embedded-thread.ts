import { once } from "node:events";
import { Worker } from "node:worker_threads";

export interface EmbeddedThread {
  /** mongodb://127.0.0.1:<port>/ */
  uri: string;
  stop(): Promise<void>;
}

type WorkerMessage = { type: "listening"; uri: string } | { type: "failed"; message: string } | { type: "stopped" };

/**
 * Starts the embedded database on a worker thread of this process: it lives
 * and dies with the service, as it did in-process, but a large query, a
 * compaction's read or a long batch runs off the event loop that serves
 * sockets. The service reaches it over TCP as it would any MongoDB.
 */
export async function startEmbeddedThread(onFailure: (error: Error) => void): Promise<EmbeddedThread> {
  const worker = import.meta.url.endsWith(".js")
    ? new Worker(new URL("./embedded/worker.js", import.meta.url))
    : // From src/ (tests, tsx, a dev server), the worker is TypeScript too: it registers tsx, then loads it.
      new Worker(
        `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))})
          .then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL("./embedded/worker.ts", import.meta.url).href)}); })`,
        { eval: true },
      );
  const [first] = (await once(worker, "message")) as [WorkerMessage];
  if (first.type !== "listening") {
    await worker.terminate();
    throw new Error(`the embedded database did not start: ${first.type === "failed" ? first.message : first.type}`);
  }
  // After a start, an error of the thread is the database going away: the service reports it, and serves UNAVAILABLE.
  worker.on("error", onFailure);
  // Not events.once: it would reject on the thread's error, with nobody awaiting it yet.
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  let stopping: Promise<void> | undefined;
  return {
    uri: first.uri,
    stop() {
      stopping ??= (async () => {
        // A thread that already ended ignores this, and `exited` has resolved.
        worker.postMessage({ type: "stop" });
        await exited;
      })();
      return stopping;
    },
  };
}
