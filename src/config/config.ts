import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { CollabLimits } from "../collab/limits.js";
import type { StoreTiming } from "../db/document-store.js";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
const DURATION = /^(\d+)\s*(s|m|h|d)?$/;
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;

function durationSeconds(value: string): number | undefined {
  const match = DURATION.exec(value.trim());
  if (!match) return undefined;
  const seconds = Number(match[1]) * UNIT_SECONDS[(match[2] ?? "s") as keyof typeof UNIT_SECONDS];
  return seconds > 0 ? seconds : undefined;
}

const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** The environment, validated: every variable the service reads is here. */
const environmentSchema = z.object({
  PORT: integer(0, 65535).default(3000),
  HOST: z.string().min(1).default("127.0.0.1"),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, "must start with mongodb:// or mongodb+srv://")
    .optional(),
  JWT_SECRET: z
    .string()
    .refine((secret) => Buffer.byteLength(secret) >= 32, "must be at least 32 bytes long")
    .optional(),
  JWT_EXPIRES_IN: z
    .string()
    .default("1h")
    .refine((value) => durationSeconds(value) !== undefined, "must be a duration such as 900, 15m, 1h or 7d"),
  LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must start with redis:// or rediss://")
    .optional(),
  NODE_ID: z
    .string()
    .regex(/^[\w.-]{1,64}$/, "must be 1-64 letters, digits, '.', '_' or '-'")
    .optional(),
  AUTH_RATE_LIMIT_PER_MINUTE: integer(1, 1_000_000).default(30),
  TRUST_PROXY: z.enum(["true", "false"]).default("false"),
  CORS_ORIGINS: z.string().optional(),
  SHUTDOWN_TIMEOUT_MS: integer(100, 600_000).default(10_000),
  // A stored update is one database record: it must stay well under MongoDB's 16 MiB document limit.
  MAX_UPDATE_BYTES: integer(1024, 8 * 1024 * 1024).default(2 * 1024 * 1024),
  MAX_DOCUMENT_BYTES: integer(64 * 1024, 1024 * 1024 * 1024).default(16 * 1024 * 1024),
  DOC_BYTES_PER_SECOND: integer(1024, 1024 * 1024 * 1024).default(1024 * 1024),
  SEND_BUFFER_MAX_BYTES: integer(1024 * 1024, 4 * 1024 * 1024 * 1024).optional(),
  DB_TIMEOUT_MS: integer(100, 600_000).default(3_000),
  JWT_MAX_AGE: z
    .string()
    .default("30d")
    .refine((value) => durationSeconds(value) !== undefined, "must be a duration such as 900, 15m, 1h or 7d"),
  DOC_MESSAGES_PER_SECOND: integer(1, 100_000).default(100),
  AWARENESS_CLIENTS_PER_SOCKET: integer(1, 100).default(4),
  AWARENESS_STATE_MAX_BYTES: integer(64, 1024 * 1024).default(8 * 1024),
  DOC_UNLOAD_DELAY_MS: integer(0, 3_600_000).default(10_000),
  DOC_COMPACT_AFTER_UPDATES: integer(1, 1_000_000).default(5_000),
  DOC_RELAY_INTERVAL_MS: integer(0, 1_000).default(5),
  STORE_COMMIT_INTERVAL_MS: integer(0, 1_000).default(20),
  WEB_ROOT: z.string().min(1).optional(),
  MAX_SOCKETS_PER_PROJECT: integer(1, 1_000_000).default(200),
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").max(512).optional(),
  METRICS_PORT: integer(0, 65535).optional(),
  METRICS_HOST: z.string().min(1).default("127.0.0.1"),
  ADMIN_EMAILS: z.string().default(""),
  DRAIN_SECONDS: integer(0, 3_600).default(10),
  DOC_MEMORY_BUDGET_MB: integer(1, 1_048_576).default(512),
});

/** Where `npm run build` puts the web app: dist/web, from src/config or dist/config alike. */
const BUILT_WEB_ROOT = fileURLToPath(new URL("../../dist/web", import.meta.url));

export type Environment = Record<string, string | undefined>;

export interface Config {
  http: {
    host: string;
    port: number;
    /** Express `trust proxy`: true behind a reverse proxy, so rate limits see client addresses. */
    trustProxy: boolean;
    jsonBodyLimitBytes: number;
    /** Browser origins allowed for CORS and WebSocket upgrades; undefined allows only the service's own. */
    corsOrigins: string[] | undefined;
  };
  /** Undefined starts the embedded in-memory server. */
  mongodbUri: string | undefined;
  /** Set: this node is one of a cluster sharing Redis (the Socket.IO adapter, documents, presence, limits). */
  redisUrl: string | undefined;
  /** This node's name in logs, `/healthz` and between nodes. */
  nodeId: string;
  jwt: {
    secret: string;
    expiresInSeconds: number;
    /** Tokens issued longer ago than this are refused, whatever their `exp`. */
    maxAgeSeconds: number;
  };
  /** How long one database operation may take before the service answers UNAVAILABLE. */
  databaseTimeoutMs: number;
  auth: { rateLimitPerMinute: number };
  realtime: {
    /** Largest Socket.IO message accepted; a client that sends more is disconnected by Socket.IO. */
    maxMessageBytes: number;
    /** Bytes waiting to be written to one client before it is disconnected as a slow reader. */
    sendBufferMaxBytes: number;
    /** Sockets one project's room may hold (ROOM_FULL past it). */
    maxSocketsPerProject: number;
  };
  collab: CollabLimits;
  store: StoreTiming;
  logLevel: (typeof LOG_LEVELS)[number];
  shutdownTimeoutMs: number;
  /** The built web app served at `/`; nothing is served there when the folder has no index.html. */
  webRoot: string;
  /**
   * Where GET /metrics is served: on the main port behind a bearer token, and/or on a port of its own
   * (bound to `host`, no token). Neither: off.
   */
  metrics: { token: string | undefined; port: number | undefined; host: string };
  /** Accounts (lowercase emails) that may open the /admin namespace; empty: nobody. */
  adminEmails: ReadonlySet<string>;
  /** A draining node (SIGTERM, node:drain) disconnects its sockets spread over this long, then stores and exits. */
  drainMs: number;
}

export class ConfigError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.problems = problems;
  }
}

/**
 * Reads the configuration from environment variables. `generateSecret` is
 * called when JWT_SECRET is unset, so a Quick start needs no setup; the
 * caller is told, to log a warning.
 */
export function loadConfig(
  environment: Environment,
  generateSecret: () => string,
  defaultNodeId = "node",
): { config: Config; generatedSecret: boolean } {
  const parsed = environmentSchema.safeParse(environment);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`));
  }
  const env = parsed.data;
  const sendBufferMaxBytes = env.SEND_BUFFER_MAX_BYTES ?? 2 * env.MAX_DOCUMENT_BYTES;
  const problems: string[] = [];
  // A client opening the largest document receives all of it at once.
  if (sendBufferMaxBytes < env.MAX_DOCUMENT_BYTES + 1024 * 1024) {
    problems.push("SEND_BUFFER_MAX_BYTES: must be at least MAX_DOCUMENT_BYTES plus 1 MiB");
  }
  const expiresInSeconds = durationSeconds(env.JWT_EXPIRES_IN) as number;
  const maxAgeSeconds = durationSeconds(env.JWT_MAX_AGE) as number;
  if (maxAgeSeconds < expiresInSeconds) problems.push("JWT_MAX_AGE: must be at least JWT_EXPIRES_IN");
  if (env.REDIS_URL) {
    // Every node must accept every other node's tokens, and see the same data.
    if (!env.JWT_SECRET) problems.push("JWT_SECRET: must be set when REDIS_URL is (the same on every node)");
    if (!env.MONGODB_URI) {
      problems.push(
        "MONGODB_URI: must be set when REDIS_URL is (nodes cannot share an in-process database; `npm run db` gives a shared one)",
      );
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const corsOrigins = env.CORS_ORIGINS?.split(",")
    .map((origin) => origin.trim())
    .filter(Boolean);
  const config: Config = {
    http: {
      host: env.HOST,
      port: env.PORT,
      trustProxy: env.TRUST_PROXY === "true",
      jsonBodyLimitBytes: 100 * 1024,
      corsOrigins: corsOrigins && corsOrigins.length > 0 ? corsOrigins : undefined,
    },
    mongodbUri: env.MONGODB_URI,
    redisUrl: env.REDIS_URL,
    nodeId: env.NODE_ID ?? defaultNodeId,
    jwt: {
      secret: env.JWT_SECRET ?? generateSecret(),
      expiresInSeconds,
      maxAgeSeconds,
    },
    databaseTimeoutMs: env.DB_TIMEOUT_MS,
    auth: { rateLimitPerMinute: env.AUTH_RATE_LIMIT_PER_MINUTE },
    // Room for the envelope, and for an oversized update to arrive whole and be refused with a clear error.
    realtime: {
      maxMessageBytes: env.MAX_UPDATE_BYTES * 2 + 64 * 1024,
      sendBufferMaxBytes,
      maxSocketsPerProject: env.MAX_SOCKETS_PER_PROJECT,
    },
    collab: {
      maxMessageBytes: env.MAX_UPDATE_BYTES,
      messagesPerSecond: env.DOC_MESSAGES_PER_SECOND,
      bytesPerSecond: env.DOC_BYTES_PER_SECOND,
      maxDocumentBytes: env.MAX_DOCUMENT_BYTES,
      awarenessClientsPerConnection: env.AWARENESS_CLIENTS_PER_SOCKET,
      maxAwarenessStateBytes: env.AWARENESS_STATE_MAX_BYTES,
      unloadDelayMs: env.DOC_UNLOAD_DELAY_MS,
      compactAfterUpdates: env.DOC_COMPACT_AFTER_UPDATES,
      relayIntervalMs: env.DOC_RELAY_INTERVAL_MS,
      memoryBudgetBytes: env.DOC_MEMORY_BUDGET_MB * 1024 * 1024,
    },
    store: { commitIntervalMs: env.STORE_COMMIT_INTERVAL_MS },
    logLevel: env.LOG_LEVEL,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    webRoot: env.WEB_ROOT ?? BUILT_WEB_ROOT,
    metrics: { token: env.METRICS_TOKEN, port: env.METRICS_PORT, host: env.METRICS_HOST },
    adminEmails: new Set(
      env.ADMIN_EMAILS.split(",")
        .map((email) => email.trim().toLowerCase())
        .filter(Boolean),
    ),
    drainMs: env.DRAIN_SECONDS * 1000,
  };
  return { config, generatedSecret: env.JWT_SECRET === undefined };
}
