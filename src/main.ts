import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { ConfigError, loadConfig } from "./config/config.js";
import { createLogger } from "./logger.js";
import { createService } from "./service.js";

/** The only module that reads process.env and calls process.exit. */
async function main(): Promise<void> {
  let loaded: ReturnType<typeof loadConfig>;
  try {
    loaded = loadConfig(process.env, () => randomBytes(48).toString("base64url"), `${hostname()}-${process.pid}`);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const { config, generatedSecret } = loaded;
  const logger = createLogger(config.logLevel, config.nodeId);
  if (generatedSecret) {
    logger.warn("JWT_SECRET is not set: generated a random secret for this run; tokens stop working on restart");
  }
  process.on("unhandledRejection", (reason) => logger.error({ err: reason }, "unhandled promise rejection"));

  const service = await createService(config, logger);
  const url = await service.listen();
  logger.info({ url }, `listening on ${url}`);
  // For whoever started it by hand: the one line worth reading among the JSON logs.
  if (process.stderr.isTTY || process.env.npm_lifecycle_event)
    process.stderr.write(`\nReady: open ${url}/ in a browser\n\n`);

  let stopping = false;
  /** SIGTERM (a deploy, an orchestrator) drains first; SIGINT (Ctrl-C) stops at once; a drain ends in a stop too. */
  const stop = (reason: string, drainFirst: boolean) => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, drainFirst ? "draining, then shutting down" : "shutting down");
    const timeoutMs = (drainFirst ? config.drainMs : 0) + config.shutdownTimeoutMs;
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, "shutdown timed out; exiting");
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    (drainFirst ? service.drain() : Promise.resolve())
      .then(() => service.close())
      .then(
        () => {
          logger.info("stopped");
          process.exit(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, "error while shutting down");
          process.exit(1);
        },
      );
  };
  process.on("SIGINT", () => stop("SIGINT", false));
  process.on("SIGTERM", () => stop("SIGTERM", true));
  service.drained.then(() => stop("drained", true));
}

main().catch((error: unknown) => {
  process.stderr.write(`failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
