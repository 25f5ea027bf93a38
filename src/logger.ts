import { type Logger, pino } from "pino";

export type { Logger };

/** Paths that must never reach a log line: credentials in requests and in logged objects. */
const REDACTED_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  "*.password",
  "*.passwordHash",
  "*.token",
  "*.secret",
];

/** `node` names the cluster node on every line. */
export function createLogger(level: string, node?: string): Logger {
  return pino({
    level,
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    ...(node ? { base: { pid: process.pid, node } } : {}),
  });
}
