import { type RequestHandler, Router } from "express";
import type { AccessPolicy } from "../../projects/access.js";
import type { Presence } from "../../realtime/presence.js";

/**
 * GET /api/projects/:id/presence, for members only: who is online in the
 * project's room and how many sockets it holds; owners also see each online
 * member's number of tabs.
 */
export function createPresenceRouter(deps: {
  policy: AccessPolicy;
  requireUser: RequestHandler;
  presence: Pick<Presence, "online" | "tabs">;
}): Router {
  const router = Router();
  router.get("/api/projects/:id/presence", deps.requireUser, async (req, res) => {
    const access = await deps.policy.authorize(req.user?.id as string, req.params.id, "read");
    const tabs = deps.presence.tabs(access.projectId);
    const sockets = [...tabs.values()].reduce((sum, user) => sum + user.sockets, 0);
    const online = deps.presence
      .online(access.projectId)
      .map((user) => (access.role === "owner" ? { ...user, tabs: tabs.get(user.userId)?.sockets ?? 0 } : user));
    res.json({ online, sockets });
  });
  return router;
}
