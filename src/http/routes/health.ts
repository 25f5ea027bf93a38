import { Router } from "express";

export function createHealthRouter(database: { kind: string; isReachable(): Promise<boolean> }): Router {
  const router = Router();
  router.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  router.get("/readyz", async (_req, res) => {
    if (await database.isReachable()) {
      res.json({ status: "ready", database: database.kind });
    } else {
      res.status(503).json({ error: { code: "UNAVAILABLE", message: "database is not reachable" } });
    }
  });
  return router;
}
