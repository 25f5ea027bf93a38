import type { Document } from "bson";
import { MAX_BSON_OBJECT_SIZE } from "../storage/collection.js";
import type { CommandHandler } from "./context.js";
import { sessionKey } from "./read.js";
export const MAX_MESSAGE_SIZE_BYTES = 48_000_000;
const MAX_WIRE_VERSION = 21; // MongoDB 7.0

/**
 * A standalone with sessions (logicalSessionTimeoutMinutes) and no
 * replication: no setName, so the driver never attempts transactions or
 * change streams against it.
 */
const hello: CommandHandler = (context) => ({
  helloOk: true,
  isWritablePrimary: true,
  ismaster: true,
  maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
  maxMessageSizeBytes: MAX_MESSAGE_SIZE_BYTES,
  maxWriteBatchSize: 100_000,
  localTime: new Date(),
  logicalSessionTimeoutMinutes: 30,
  connectionId: context.connectionId,
  minWireVersion: 0,
  maxWireVersion: MAX_WIRE_VERSION,
  readOnly: false,
});

const VERSION = "7.0.0";

const buildInfo: CommandHandler = () => ({
  version: VERSION,
  versionArray: [7, 0, 0, 0],
  gitVersion: "embedded-in-memory",
  modules: [],
  bits: 64,
  debug: false,
  maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
  storageEngines: ["in-memory"],
});

const listDatabases: CommandHandler = (context, command) => {
  const names = context.catalog.databaseNames().sort();
  if (command.nameOnly) return { databases: names.map((name) => ({ name })) };
  const databases: Document[] = names.map((name) => ({
    name,
    sizeOnDisk: 0,
    empty: [...context.catalog.collections(name).values()].every((collection) => collection.size === 0),
  }));
  return { databases, totalSize: 0, totalSizeMb: 0 };
};

export const adminCommands: Record<string, CommandHandler> = {
  hello,
  ismaster: hello,
  ping: () => ({}),
  buildinfo: buildInfo,
  endsessions: (context, command) => {
    const ended = new Set<string>();
    for (const lsid of Array.isArray(command.endSessions) ? command.endSessions : []) {
      const key = sessionKey(lsid);
      if (key) ended.add(key);
    }
    context.cursors.endSessions(ended);
    return {};
  },
  listdatabases: listDatabases,
  serverstatus: (context) => context.statistics.report(VERSION),
};
