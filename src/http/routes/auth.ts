import { type RequestHandler, Router } from "express";
import { z } from "zod";
import type { AccountService, PublicUser } from "../../auth/accounts.js";
import { type AuthOutcome, ignoreAuthOutcome } from "../../auth/auth-outcomes.js";
import type { TokenService } from "../../auth/tokens.js";
import { AppError } from "../../errors.js";
import { limitPerMinute, type RateLimitStores } from "../rate-limit.js";
import { parseInput } from "../validate.js";

const email = z.string().trim().toLowerCase().max(254).pipe(z.email());
const password = z.string().min(8).max(256);
const registerBody = z.object({ email, password, name: z.string().trim().min(1).max(100) });
const loginBody = z.object({ email, password: z.string().min(1).max(256) });

export function createAuthRouter(deps: {
  accounts: AccountService;
  tokens: TokenService;
  rateLimitPerMinute: number;
  rateLimitStores?: RateLimitStores;
  requireUser: RequestHandler;
  outcome?: AuthOutcome;
}): Router {
  const { accounts, tokens } = deps;
  const router = Router();
  router.use("/api/auth", limitPerMinute(deps.rateLimitPerMinute, { store: deps.rateLimitStores?.("auth") }));

  const outcome = deps.outcome ?? ignoreAuthOutcome;
  router.post("/api/auth/register", async (req, res) => {
    const user = await accounts.register(parseInput(registerBody, req.body));
    outcome("http", "success", "ok");
    res.status(201).json({ token: tokens.issue(user.id), user });
  });

  router.post("/api/auth/login", async (req, res) => {
    let user: PublicUser;
    try {
      user = await accounts.login(parseInput(loginBody, req.body));
    } catch (error) {
      if (error instanceof AppError && error.code === "UNAUTHORIZED") outcome("http", "failure", "invalid_credentials");
      throw error;
    }
    outcome("http", "success", "ok");
    res.json({ token: tokens.issue(user.id), user });
  });

  // A fresh token for the caller, before the one in use expires: a browser session outlives JWT_EXPIRES_IN.
  router.post("/api/auth/refresh", deps.requireUser, (req, res) => {
    const user = req.user as PublicUser;
    res.json({ token: tokens.issue(user.id), user });
  });

  router.get("/api/me", deps.requireUser, (req, res) => {
    res.json({ user: req.user });
  });
  return router;
}
