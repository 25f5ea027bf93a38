import { Router } from "express";

/**
 * `/healthz`: the process is up (and which node it is). `/readyz`: it can
 * serve, its database and, in a cluster, Redis answering, and not draining;
 * a load balancer takes a node that is not ready out of rotation.
 */
export function createHealthRouter(
  database: { kind: string; isReachable(): Promise<boolean> },
  node: { id: string; cluster?: { isReady: boolean }; draining(): boolean },
): Router {
  const router = Router();
  router.get("/healthz", (_req, res) => {
    res.json({ status: "ok", node: node.id });
  });
  router.get("/readyz", async (_req, res) => {
    if (node.draining()) {
      res.status(503).json({ error: { code: "DRAINING", message: "this node is draining" } });
    } else if (!(await database.isReachable())) {
      res.status(503).json({ error: { code: "UNAVAILABLE", message: "database is not reachable" } });
    } else if (node.cluster && !node.cluster.isReady) {
      res.status(503).json({ error: { code: "UNAVAILABLE", message: "Redis is not reachable" } });
    } else {
      res.json({ status: "ready", database: database.kind, ...(node.cluster ? { cluster: "redis" } : {}) });
    }
  });
  return router;
}
