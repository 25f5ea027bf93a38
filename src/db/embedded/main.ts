import { parseArgs } from "node:util";
import { EmbeddedMongoServer } from "./server.js";

/**
 * `npm run db`: the embedded server as its own process, so the service can be
 * restarted (or killed) against the same in-memory data.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { port: { type: "string", default: "27017" }, host: { type: "string", default: "127.0.0.1" } },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`invalid --port ${values.port}\n`);
    process.exit(1);
  }
  const server = new EmbeddedMongoServer();
  const uri = await server.start({ port, host: values.host });
  process.stdout.write(`${uri}\n`);
  process.stderr.write(
    "embedded in-memory MongoDB-compatible server for development and tests: not durable, no auth; data is gone when this process stops\n",
  );
  const stop = () => {
    server.stop().then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
