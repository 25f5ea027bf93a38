import { type RequestHandler, Router } from "express";
import type { AccessPolicy } from "../../projects/access.js";
import type { OnlineUser } from "../../protocol/events.js";

/** GET /api/projects/:id/presence: who is online in the project's room, for members only. */
export function createPresenceRouter(deps: {
  policy: AccessPolicy;
  requireUser: RequestHandler;
  online: (projectId: string) => OnlineUser[];
}): Router {
  const router = Router();
  router.get("/api/projects/:id/presence", deps.requireUser, async (req, res) => {
    const access = await deps.policy.authorize(req.user?.id as string, req.params.id, "read");
    res.json({ online: deps.online(access.projectId) });
  });
  return router;
}
