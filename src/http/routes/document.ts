import { type RequestHandler, Router } from "express";
import type { AccessPolicy } from "../../projects/access.js";

/** GET /api/projects/:id/document: the whole Yjs state (`Y.encodeStateAsUpdate`), members only. */
export function createDocumentRouter(deps: {
  policy: AccessPolicy;
  requireUser: RequestHandler;
  encodeState: (projectId: string) => Promise<Uint8Array>;
}): Router {
  const router = Router();
  router.get("/api/projects/:id/document", deps.requireUser, async (req, res) => {
    const access = await deps.policy.authorize(req.user?.id as string, req.params.id, "read");
    const state = await deps.encodeState(access.projectId);
    res.type("application/octet-stream").send(Buffer.from(state.buffer, state.byteOffset, state.byteLength));
  });
  return router;
}
