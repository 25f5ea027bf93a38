import { type Db, MongoClient } from "mongodb";
import { afterAll, afterEach, beforeAll } from "vitest";
import { destroyProviders } from "./collab.js";
import { startTestMongo, type TestMongo } from "./mongo.js";
import { startService, type TestService } from "./service.js";
import { closeAllSockets } from "./sockets.js";

/**
 * One service for the test file (started before its tests, closed after);
 * every client a test opened is closed after that test.
 */
export function useService(environment: Record<string, string> = {}): TestService {
  let running: TestService | undefined;
  beforeAll(async () => {
    running = await startService(environment);
  });
  afterEach(() => {
    destroyProviders();
    closeAllSockets();
  });
  afterAll(async () => {
    await running?.close();
  });
  const current = () => {
    if (!running) throw new Error("the service is not started yet");
    return running;
  };
  return {
    get service() {
      return current().service;
    },
    get url() {
      return current().url;
    },
    get mongo() {
      return current().mongo;
    },
    close: () => current().close(),
  };
}

/** A database for the test file, with a driver client on it: the real MongoDB of MONGODB_URI, or an embedded server. */
export function useDatabase(options: { maxPoolSize?: number } = {}) {
  let mongo: TestMongo | undefined;
  let client: MongoClient | undefined;
  beforeAll(async () => {
    mongo = await startTestMongo();
    client = await MongoClient.connect(mongo.uri, options);
  });
  afterAll(async () => {
    await client?.close();
    await mongo?.stop();
  });
  return {
    get mongo(): TestMongo {
      return mongo as TestMongo;
    },
    get client(): MongoClient {
      return client as MongoClient;
    },
    get db(): Db {
      return (client as MongoClient).db((mongo as TestMongo).databaseName);
    },
  };
}
