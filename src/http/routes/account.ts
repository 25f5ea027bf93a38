import { type RequestHandler, Router } from "express";
import { z } from "zod";
import { deleteAccount, type Memberships } from "../../auth/account-deletion.js";
import type { AccountService } from "../../auth/accounts.js";
import { limitPerMinute, type RateLimitStores } from "../rate-limit.js";
import { parseInput } from "../validate.js";

const deleteBody = z.object({ password: z.string().min(1).max(256) });

/** DELETE /api/me: the caller's account, with its password; every socket of the user is disconnected after. */
export function createAccountRouter(deps: {
  accounts: AccountService;
  memberships: Memberships;
  requireUser: RequestHandler;
  rateLimitPerMinute: number;
  rateLimitStores?: RateLimitStores;
  disconnectUser: (userId: string) => void;
}): Router {
  const router = Router();
  // The password is checked here too: as rate-limited as logging in.
  router.delete(
    "/api/me",
    limitPerMinute(deps.rateLimitPerMinute, { store: deps.rateLimitStores?.("account") }),
    deps.requireUser,
    async (req, res) => {
      const { password } = parseInput(deleteBody, req.body);
      const userId = req.user?.id as string;
      await deleteAccount(deps.accounts, deps.memberships, userId, password);
      deps.disconnectUser(userId);
      res.status(204).end();
    },
  );
  return router;
}
