import { randomBytes } from "node:crypto";
import { loadConfig } from "../../src/config/config.js";
import { createLogger } from "../../src/logger.js";
import { createService, type Service } from "../../src/service.js";
import { startTestMongo, type TestMongo } from "./mongo.js";

export interface TestService {
  service: Service;
  url: string;
  mongo: TestMongo;
  close(): Promise<void>;
}

/**
 * The real composition root on port 0, configured through `loadConfig` like
 * `main`, on a database of its own, or on `shared` (which it then leaves
 * running on close, for a restart against the same data).
 */
export async function startService(environment: Record<string, string> = {}, shared?: TestMongo): Promise<TestService> {
  const mongo = shared ?? (await startTestMongo());
  const { config } = loadConfig(
    {
      PORT: "0",
      HOST: "127.0.0.1",
      JWT_SECRET: randomBytes(32).toString("hex"),
      AUTH_RATE_LIMIT_PER_MINUTE: "100000",
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
      MONGODB_URI: mongo.databaseUri,
      ...environment,
    },
    () => randomBytes(32).toString("hex"),
  );
  const service = await createService(config, createLogger(config.logLevel));
  const url = await service.listen();
  return {
    service,
    url,
    mongo,
    async close() {
      await service.close();
      if (!shared) await mongo.stop();
    },
  };
}
