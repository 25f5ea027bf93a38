import { type RequestHandler, Router } from "express";
import type { TaggedState } from "../../collab/snapshots.js";
import type { AccessPolicy } from "../../projects/access.js";
import { limitPerMinute, type RateLimitStores } from "../rate-limit.js";

/** A whole document can be megabytes: each user may fetch this many a minute. */
const DOCUMENT_DOWNLOADS_PER_MINUTE = 60;

/** Whether an If-None-Match header names `etag` (weakly, as RFC 9110 compares for GET), or is `*`. */
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(",").some((candidate) => {
    const trimmed = candidate.trim();
    return trimmed === "*" || trimmed === etag || trimmed === `W/${etag}`;
  });
}

/**
 * GET /api/projects/:id/document: the whole Yjs state (`Y.encodeStateAsUpdate`),
 * members only, with an ETag of the state: `If-None-Match` with the current
 * tag answers 304 without the body.
 */
export function createDocumentRouter(deps: {
  policy: AccessPolicy;
  requireUser: RequestHandler;
  encodeState: (projectId: string) => Promise<TaggedState>;
  rateLimitStores?: RateLimitStores;
}): Router {
  const router = Router();
  router.get(
    "/api/projects/:id/document",
    deps.requireUser,
    limitPerMinute(DOCUMENT_DOWNLOADS_PER_MINUTE, { byUser: true, store: deps.rateLimitStores?.("downloads") }),
    async (req, res) => {
      const access = await deps.policy.authorize(req.user?.id as string, req.params.id, "read");
      const { state, tag } = await deps.encodeState(access.projectId);
      // Revalidated on every use: the document changes whenever someone types.
      res.setHeader("cache-control", "private, no-cache");
      const etag = `"${tag}"`;
      res.setHeader("etag", etag);
      if (matches(req.headers["if-none-match"], etag)) {
        res.status(304).end();
        return;
      }
      res.type("application/octet-stream").send(Buffer.from(state.buffer, state.byteOffset, state.byteLength));
    },
  );
  return router;
}
