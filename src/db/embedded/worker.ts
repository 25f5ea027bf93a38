import { parentPort } from "node:worker_threads";
import { EmbeddedMongoServer } from "./server.js";

/**
 * The embedded server on a thread of its own (see ../embedded-thread.ts):
 * tells the service its URI once listening, stops when told, then lets the
 * thread end.
 */
const port = parentPort;
if (!port) throw new Error("the embedded database worker runs only as a worker thread");
const server = new EmbeddedMongoServer();
server.start().then(
  (uri) => port.postMessage({ type: "listening", uri }),
  (error: unknown) =>
    port.postMessage({ type: "failed", message: error instanceof Error ? error.message : String(error) }),
);
port.on("message", (message: { type?: string }) => {
  if (message?.type !== "stop") return;
  server.stop().finally(() => {
    port.postMessage({ type: "stopped" });
    port.close();
  });
});
