/**
 * Every failure the service reports carries one of these codes. The domain
 * throws `AppError`s; each edge maps them (HTTP status, socket ack,
 * `connect_error`) and never forwards anything else a client could learn from.
 */
export const ERROR_CODES = [
  "VALIDATION",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "NOT_FOUND",
  "CONFLICT",
  "RATE_LIMITED",
  "TOO_LARGE",
  "INTERNAL",
  /** The service cannot reach its database right now: retry later (HTTP 503). */
  "UNAVAILABLE",
  // The document channel's own refusals.
  "READ_ONLY",
  "NOT_OPEN",
  "INVALID_UPDATE",
  /**
   * The update builds on changes the server does not have yet (another node's, a lost message): not refused for
   * good. The server sent sync step 1; the change is stored with the answer to it, or a later one.
   */
  "RESYNC",
  /** The project's room holds MAX_SOCKETS_PER_PROJECT sockets already. */
  "ROOM_FULL",
  /** This node is shutting down: connect again, and a load balancer sends you to another node (HTTP 503). */
  "DRAINING",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class AppError extends Error {
  readonly code: ErrorCode;
  /** What a client needs to act on the error (say, which projects block an account's deletion); sent as is. */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.details = details;
  }
}

/**
 * What the edges report for an error: an AppError as it is, a database that
 * cannot be reached as UNAVAILABLE (`isUnavailable` recognises it), anything
 * else as undefined (the edge logs it and answers INTERNAL).
 */
export function knownError(error: unknown, isUnavailable: (error: unknown) => boolean): AppError | undefined {
  if (error instanceof AppError) return error;
  if (isUnavailable(error)) return new AppError("UNAVAILABLE", "the service cannot reach its database; try again soon");
  return undefined;
}
