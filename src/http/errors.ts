import type { ErrorRequestHandler, RequestHandler } from "express";
import { isDatabaseUnavailable } from "../db/unavailable.js";
import { AppError, type ErrorCode, knownError } from "../errors.js";
import type { Logger } from "../logger.js";

export const HTTP_STATUS: Record<ErrorCode, number> = {
  VALIDATION: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TOO_LARGE: 413,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  READ_ONLY: 403,
  NOT_OPEN: 409,
  INVALID_UPDATE: 400,
  RESYNC: 409,
  ROOM_FULL: 409,
  DRAINING: 503,
};

/** How long a client should wait before trying again after a 503. */
const RETRY_AFTER_SECONDS = 5;

/**
 * body-parser reports its failures with a `type`, or (a corrupt gzip body,
 * say) with a 4xx `status`; they are the client's fault, not ours.
 */
function fromBodyParser(error: { type?: unknown; status?: unknown }): AppError | undefined {
  switch (error.type) {
    case "entity.parse.failed":
      return new AppError("VALIDATION", "request body is not valid JSON");
    case "entity.too.large":
      return new AppError("TOO_LARGE", "request body is too large");
    case "encoding.unsupported":
    case "charset.unsupported":
    case "request.aborted":
    case "request.size.invalid":
      return new AppError("VALIDATION", "request body could not be read");
    default:
      if (typeof error.status === "number" && error.status >= 400 && error.status < 500) {
        return new AppError("VALIDATION", "request body could not be read");
      }
      return undefined;
  }
}

export const notFoundHandler: RequestHandler = (_req, _res, next) => {
  next(new AppError("NOT_FOUND", "no such endpoint"));
};

/** The one place errors become responses: `{ error: { code, message } }`, never a stack or driver detail. */
export function createErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const known = knownError(error, isDatabaseUnavailable) ?? fromBodyParser(error ?? {});
    if (!known) (req.log ?? logger).error({ err: error }, "unhandled error in request");
    const appError = known ?? new AppError("INTERNAL", "internal error");
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (appError.code === "UNAVAILABLE") res.setHeader("retry-after", String(RETRY_AFTER_SECONDS));
    res
      .status(HTTP_STATUS[appError.code])
      .json({ error: { ...appError.details, code: appError.code, message: appError.message } });
  };
}
