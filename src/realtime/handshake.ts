import type { Socket } from "socket.io";
import type { AccountService } from "../auth/accounts.js";
import { type AuthOutcome, ignoreAuthOutcome } from "../auth/auth-outcomes.js";
import type { TokenService } from "../auth/tokens.js";
import { isDatabaseUnavailable } from "../db/unavailable.js";
import type { Logger } from "../logger.js";
import type { ConnectErrorData, SocketData } from "../protocol/events.js";
import { sharedListener } from "./shared-listeners.js";

export function refusal(code: ConnectErrorData["code"], message: string): Error & { data: ConnectErrorData } {
  return Object.assign(new Error(message), { data: { code } });
}

const unauthorized = () => refusal("UNAUTHORIZED", "unauthorized");

/** A page of an origin that is neither the service's own nor in CORS_ORIGINS. */
export const originRefused = () => refusal("ORIGIN_REFUSED", "origin not allowed");

/**
 * Namespace middleware: verifies `auth.token` with the same verifier as the
 * HTTP API and checks that the account still exists. A bad token or a
 * deleted account is one `connect_error` ("unauthorized", `{ code:
 * "UNAUTHORIZED" }`) whatever the cause; a database that cannot be reached
 * is `{ code: "UNAVAILABLE" }`, which a client retries with the same token.
 */
export function authenticateHandshake({
  tokens,
  accounts,
  logger,
  node,
  outcome = ignoreAuthOutcome,
}: {
  tokens: TokenService;
  accounts: AccountService;
  logger: Logger;
  /** This node's id, kept on each socket so that fetchSockets() on any node tells where a socket is. */
  node: string;
  outcome?: AuthOutcome;
}) {
  return (socket: Socket, next: (error?: Error) => void) => {
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    let claims: ReturnType<TokenService["verify"]>;
    try {
      claims = tokens.verify(token);
    } catch {
      outcome("socket", "failure", "invalid_token");
      return next(unauthorized());
    }
    accounts.findById(claims.userId).then(
      (user) => {
        if (!user) {
          outcome("socket", "failure", "unknown_account");
          return next(unauthorized());
        }
        outcome("socket", "success", "ok");
        const data: SocketData = { userId: user.id, name: user.name, tokenExpiresAt: claims.expiresAt, node };
        socket.data = data;
        next();
      },
      (error: unknown) => {
        if (isDatabaseUnavailable(error)) {
          outcome("socket", "failure", "unavailable");
          return next(refusal("UNAVAILABLE", "service unavailable"));
        }
        outcome("socket", "failure", "internal");
        logger.error({ err: error }, "checking the account of a handshake failed");
        next(refusal("INTERNAL", "internal error"));
      },
    );
  };
}

/**
 * `auth:refresh` (token, ack): a fresh token for the same user, checked like
 * a handshake's, moves the socket's expiry, so a long session never drops.
 * A token for another user, an invalid one or a deleted account is refused
 * (UNAUTHORIZED) and changes nothing. One listener, made once per server, serves every socket.
 */
export function tokenRefreshListener(tokens: TokenService, accounts: AccountService, logger: Logger) {
  return sharedListener<Socket<never, never, never, SocketData>>((socket, raw) => {
    const ack = typeof raw.at(-1) === "function" ? (raw.at(-1) as (response: object) => void) : undefined;
    const refused = () => ack?.({ ok: false, error: { code: "UNAUTHORIZED", message: "token refused" } });
    let claims: ReturnType<TokenService["verify"]>;
    try {
      claims = tokens.verify(raw[0]);
    } catch {
      return refused();
    }
    if (claims.userId !== socket.data.userId) return refused();
    accounts.findById(claims.userId).then(
      (user) => {
        if (!user) return refused();
        // The expiry timer reads this each time it fires, and waits again for what is left.
        socket.data.tokenExpiresAt = claims.expiresAt;
        ack?.({ ok: true, expiresAt: claims.expiresAt });
      },
      (error: unknown) => {
        if (!isDatabaseUnavailable(error))
          logger.error({ err: error }, "checking the account of a token refresh failed");
        ack?.({ ok: false, error: { code: "UNAVAILABLE", message: "try again soon" } });
      },
    );
  });
}
