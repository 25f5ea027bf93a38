import { randomUUID } from "node:crypto";
import cors from "cors";
import express, { type Router } from "express";
import helmet from "helmet";
import { pinoHttp } from "pino-http";
import type { Logger } from "../logger.js";
import { createErrorHandler, notFoundHandler } from "./errors.js";

const REQUEST_ID = /^[\w-]{1,64}$/;

/** The Express application: conventions first (ids, logs, headers, body limit), then routers, then errors. */
export function createHttpApp(options: {
  logger: Logger;
  trustProxy: boolean;
  jsonBodyLimitBytes: number;
  /** Browser origins allowed to call the API; undefined sends no CORS headers (same origin only). */
  corsOrigins: string[] | undefined;
  routers: Router[];
  /** Each request's duration by route pattern (never the path itself: ids would make labels unbounded). */
  observeRequest?: (method: string, route: string, status: number, seconds: number) => void;
}): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", options.trustProxy);
  app.use(
    pinoHttp({
      logger: options.logger,
      genReqId: (req, res) => {
        const given = req.headers["x-request-id"];
        const id = typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
        res.setHeader("x-request-id", id);
        return id;
      },
      // A 503 is a state the service reports (its database away, a drain): a load balancer's health checks would
      // otherwise log an error line every few seconds for as long as it lasts.
      customLogLevel: (_req, res, error) =>
        res.statusCode === 503 ? "warn" : error || res.statusCode >= 500 ? "error" : "info",
    }),
  );
  const observe = options.observeRequest;
  if (observe) {
    app.use((req, res, next) => {
      const started = performance.now();
      res.once("finish", () => {
        const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : "unmatched";
        observe(req.method, route, res.statusCode, (performance.now() - started) / 1000);
      });
      next();
    });
  }
  app.use(
    helmet({
      // The web app's policy, and a harmless one for JSON: scripts only from this origin, never inline; styles
      // inline too (CodeMirror writes its own <style> elements); connections (HTTP, WebSocket) to this origin.
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", "data:"],
          connectSrc: ["'self'"],
          fontSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
    }),
  );
  if (options.corsOrigins) {
    // Bearer tokens, not cookies: no credentials mode, and preflights cached for ten minutes.
    app.use(
      cors({
        origin: options.corsOrigins,
        allowedHeaders: ["Authorization", "Content-Type", "X-Request-Id"],
        exposedHeaders: ["X-Request-Id", "Retry-After", "RateLimit", "RateLimit-Policy"],
        maxAge: 600,
      }),
    );
  }
  app.use(express.json({ limit: options.jsonBodyLimitBytes, strict: true }));
  for (const router of options.routers) app.use(router);
  app.use(notFoundHandler);
  app.use(createErrorHandler(options.logger));
  return app;
}
