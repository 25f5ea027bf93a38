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
  // The document channel's own refusals.
  "READ_ONLY",
  "NOT_OPEN",
  "INVALID_UPDATE",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class AppError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = "AppError";
    this.code = code;
  }
}
