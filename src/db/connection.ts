import mongoose, { type Connection } from "mongoose";
import type { Logger } from "../logger.js";
import { EmbeddedMongoServer } from "./embedded/server.js";

export interface Database {
  connection: Connection;
  /** Which server backs this connection, for logs and readiness. */
  kind: "mongodb" | "embedded";
  isReachable(): Promise<boolean>;
  close(): Promise<void>;
}

const EMBEDDED_DATABASE_NAME = "collab";

/**
 * Connects mongoose to MONGODB_URI, or to a fresh embedded in-memory server
 * when none is given. The connection is the service's own (never mongoose's
 * global default), so several services in one process share nothing.
 */
export async function connectDatabase(uri: string | undefined, logger: Logger): Promise<Database> {
  let embedded: EmbeddedMongoServer | undefined;
  let target = uri;
  if (!target) {
    embedded = new EmbeddedMongoServer();
    target = `${await embedded.start()}${EMBEDDED_DATABASE_NAME}`;
    logger.warn(
      { uri: target },
      "MONGODB_URI is not set: using the embedded in-memory database; all data is lost when the process exits",
    );
  }
  let connection: Connection;
  try {
    connection = await mongoose.createConnection(target, { serverSelectionTimeoutMS: 10_000 }).asPromise();
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
  if (!embedded) logger.info({ host: connection.host, database: connection.name }, "connected to MongoDB");
  return {
    connection,
    kind: embedded ? "embedded" : "mongodb",
    async isReachable() {
      try {
        await connection.db?.command({ ping: 1 });
        return connection.readyState === 1;
      } catch {
        return false;
      }
    },
    async close() {
      await connection.close();
      await embedded?.stop();
    },
  };
}
