import type { Request, RequestHandler } from "express";
import { rateLimit } from "express-rate-limit";
import { AppError } from "../errors.js";

/**
 * At most `perMinute` requests a minute per key (the client's address by
 * default, the authenticated user for `byUser`); past it, RATE_LIMITED with
 * the standard RateLimit headers.
 */
export function limitPerMinute(perMinute: number, options: { byUser?: boolean } = {}): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: "draft-8",
    legacyHeaders: false,
    ...(options.byUser ? { keyGenerator: (req: Request) => `user:${req.user?.id ?? ""}` } : {}),
    // Clients control X-Forwarded-For; complaining about it in logs would let them spam ours.
    validate: { xForwardedForHeader: false, keyGeneratorIpFallback: false },
    handler: (_req, _res, next) => next(new AppError("RATE_LIMITED", "too many requests, try again later")),
  });
}
