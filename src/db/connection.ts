import mongoose, { type Connection } from "mongoose";
import type { Logger } from "../logger.js";
import { within } from "../within.js";
import type { EmbeddedThread } from "./embedded-thread.js";

export interface Database {
  connection: Connection;
  /** Which server backs this connection, for logs and readiness. */
  kind: "mongodb" | "embedded";
  isReachable(): Promise<boolean>;
  /** Calls `listener` each time the connection comes back after it was lost. */
  onReconnect(listener: () => void): void;
  close(): Promise<void>;
}

const EMBEDDED_DATABASE_NAME = "collab";

/**
 * Connects mongoose to MONGODB_URI, or to a fresh embedded in-memory server,
 * on a worker thread of this process, when none is given (its code is
 * loaded only then). The connection is the service's own (never mongoose's
 * global default), so several services in one process share nothing.
 *
 * `timeoutMs` bounds how long an operation waits for a database that does
 * not answer: to select a server, to connect, for a reply on an open socket
 * (a stalled one); mongoose's own buffer is off. An
 * operation can meet several of these in turn, so it fails within a few
 * times `timeoutMs`, as UNAVAILABLE at the edges, rather than hang.
 */
export async function connectDatabase(uri: string | undefined, logger: Logger, timeoutMs: number): Promise<Database> {
  let embedded: EmbeddedThread | undefined;
  let target = uri;
  if (!target) {
    const { startEmbeddedThread } = await import("./embedded-thread.js");
    embedded = await startEmbeddedThread((error) =>
      logger.error({ err: error }, "the embedded database's thread failed; the service answers UNAVAILABLE"),
    );
    target = `${embedded.uri}${EMBEDDED_DATABASE_NAME}`;
    logger.warn(
      { uri: target },
      "MONGODB_URI is not set: using the embedded in-memory database; all data is lost when the process exits",
    );
  }
  let connection: Connection;
  try {
    connection = await mongoose
      .createConnection(target, {
        serverSelectionTimeoutMS: timeoutMs,
        connectTimeoutMS: timeoutMs,
        socketTimeoutMS: timeoutMs,
        heartbeatFrequencyMS: Math.max(500, timeoutMs),
        // The driver waits for a server (serverSelectionTimeoutMS); mongoose's own buffer would wait again.
        bufferCommands: false,
      })
      .asPromise();
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
  if (!embedded) logger.info({ host: connection.host, database: connection.name }, "connected to MongoDB");
  let closing = false;
  connection.on("disconnected", () => {
    if (!closing) logger.warn("lost the connection to the database");
  });
  connection.on("reconnected", () => logger.info("reconnected to the database"));
  return {
    connection,
    kind: embedded ? "embedded" : "mongodb",
    async isReachable() {
      if (connection.readyState !== 1 || !connection.db) return false;
      return within(connection.db.command({ ping: 1 }), timeoutMs).then(
        () => connection.readyState === 1,
        () => false,
      );
    },
    onReconnect(listener) {
      // A restarted server can come back between two heartbeats: the driver's immediate retry of a failed
      // heartbeat then succeeds and mongoose never reports a disconnection. A failed heartbeat (or a pool
      // cleared by a network error) followed by a successful one counts as a reconnection too.
      let lost = false;
      const client = connection.getClient();
      const markLost = () => {
        lost = true;
      };
      client.on("serverHeartbeatFailed", markLost);
      client.on("connectionPoolCleared", markLost);
      client.on("serverHeartbeatSucceeded", () => {
        if (!lost) return;
        lost = false;
        listener();
      });
      connection.on("reconnected", () => {
        lost = false;
        listener();
      });
    },
    async close() {
      closing = true;
      await connection.close();
      await embedded?.stop();
    },
  };
}
