import type { Request, RequestHandler } from "express";
import { rateLimit, type Store } from "express-rate-limit";
import { AppError } from "../errors.js";

/** A shared store for the limiter called `name` (Redis in a cluster, so every node counts the same requests). */
export type RateLimitStores = (name: string) => Store;

/**
 * At most `perMinute` requests a minute per key (the client's address by
 * default, the authenticated user for `byUser`); past it, RATE_LIMITED with
 * the standard RateLimit headers. Counted in `store` when given (shared by
 * the nodes of a cluster), else in this process; a store that fails lets
 * requests through rather than fail them.
 */
export function limitPerMinute(perMinute: number, options: { byUser?: boolean; store?: Store } = {}): RequestHandler {
  return rateLimit({
    ...(options.store ? { store: options.store, passOnStoreError: true } : {}),
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
