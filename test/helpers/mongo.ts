import { randomBytes } from "node:crypto";
import { MongoClient, MongoServerError } from "mongodb";
import { EmbeddedMongoServer } from "../../src/db/embedded/server.js";

export interface TestMongo {
  /** A server URI without a database name. */
  uri: string;
  /** A database of this test file's own. */
  databaseName: string;
  /** `uri` with `databaseName`, for mongoose. */
  databaseUri: string;
  stop(): Promise<void>;
}

export const usingRealMongo = Boolean(process.env.MONGODB_URI);

function withDatabase(uri: string, name: string): string {
  const url = new URL(uri);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * MONGODB_URI when set (each caller gets its own database, dropped at the
 * end), otherwise a fresh embedded server.
 */
export async function startTestMongo(): Promise<TestMongo> {
  const databaseName = `test_${randomBytes(6).toString("hex")}`;
  const real = process.env.MONGODB_URI;
  if (real) {
    return {
      uri: real,
      databaseName,
      databaseUri: withDatabase(real, databaseName),
      async stop() {
        const client = await MongoClient.connect(real);
        await client.db(databaseName).dropDatabase();
        await client.close();
      },
    };
  }
  const server = new EmbeddedMongoServer();
  const uri = await server.start();
  return { uri, databaseName, databaseUri: withDatabase(uri, databaseName), stop: () => server.stop() };
}

/** The code of the server error an operation fails with (MongoDB's, or the embedded server's), or undefined if it succeeds. */
export async function serverErrorCode(operation: Promise<unknown>): Promise<number | undefined> {
  try {
    await operation;
  } catch (error) {
    if (error instanceof MongoServerError) return Number(error.code);
    throw error;
  }
  return undefined;
}
