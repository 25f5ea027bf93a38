import { existsSync } from "node:fs";
import { join } from "node:path";
import express, { Router } from "express";

/** A year: asset names carry a hash of their content, so a changed file is a new name. */
const IMMUTABLE = "public, max-age=31536000, immutable";

/**
 * The web app (`npm run build` puts it in `webRoot`): `index.html` at `/`,
 * revalidated on every load, and its hashed assets cached for good. Routes
 * are in the URL's fragment, so nothing else needs serving. Undefined when
 * the app is not built.
 */
export function createWebRouter(webRoot: string): Router | undefined {
  if (!existsSync(join(webRoot, "index.html"))) return undefined;
  const router = Router();
  router.use(
    express.static(webRoot, {
      index: "index.html",
      redirect: false,
      setHeaders(res, path) {
        res.setHeader("cache-control", path.includes(`${join(webRoot, "assets")}`) ? IMMUTABLE : "no-cache");
      },
    }),
  );
  return router;
}
