import { timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import { type RequestHandler, Router } from "express";
import type { Registry } from "prom-client";
import { AppError } from "../../errors.js";

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const scrape =
  (registry: Registry): RequestHandler =>
  async (_req, res) => {
    res.setHeader("content-type", registry.contentType);
    res.setHeader("cache-control", "no-store");
    res.send(await registry.metrics());
  };

/** GET /metrics on the main port: only with `Authorization: Bearer <METRICS_TOKEN>`; anything else is a bare 401. */
export function createMetricsRouter(registry: Registry, token: string): Router {
  const router = Router();
  router.get(
    "/metrics",
    (req, _res, next) => {
      const header = req.headers.authorization ?? "";
      const given = header.startsWith("Bearer ") ? header.slice("Bearer ".length) : "";
      next(sameSecret(given, token) ? undefined : new AppError("UNAUTHORIZED", "missing or wrong metrics token"));
    },
    scrape(registry),
  );
  return router;
}

/** A server of its own for GET /metrics (METRICS_PORT), meant for a private interface: no token. */
export function createMetricsServer(registry: Registry): Server {
  return createServer((req, res) => {
    if (req.method !== "GET" || req.url?.split("?")[0] !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { "content-type": registry.contentType }).end(text),
      () => res.writeHead(500, { "content-type": "text/plain" }).end("metrics failed\n"),
    );
  });
}
