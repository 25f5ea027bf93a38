import { type RequestHandler, Router } from "express";
import { z } from "zod";
import { type ChatService, MAX_HISTORY_PAGE } from "../../chat/chat-service.js";
import { parseInput } from "../validate.js";

const historyQuery = z.object({
  before: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_HISTORY_PAGE).default(50),
});

/** GET /api/projects/:id/messages?before=&limit=: older chat pages, members only (404 for anyone else). */
export function createChatRouter(deps: { chat: ChatService; requireUser: RequestHandler }): Router {
  const router = Router();
  router.get("/api/projects/:id/messages", deps.requireUser, async (req, res) => {
    const query = parseInput(historyQuery, req.query);
    res.json(await deps.chat.history(req.user?.id as string, String(req.params.id), query));
  });
  return router;
}
