import type { Socket } from "socket.io";
import type { AccountService } from "../auth/accounts.js";
import type { TokenService } from "../auth/tokens.js";
import { isDatabaseUnavailable } from "../db/unavailable.js";
import type { Logger } from "../logger.js";
import type { ConnectErrorData, SocketData } from "../protocol/events.js";

/** Node timers overflow past 2^31-1 ms (~24.8 days); longer tokens are re-armed in steps. */
const MAX_TIMER_MS = 2_147_483_647;

function refusal(code: ConnectErrorData["code"], message: string): Error & { data: ConnectErrorData } {
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
export function authenticateHandshake(tokens: TokenService, accounts: AccountService, logger: Logger) {
  return (socket: Socket, next: (error?: Error) => void) => {
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    let claims: ReturnType<TokenService["verify"]>;
    try {
      claims = tokens.verify(token);
    } catch {
      return next(unauthorized());
    }
    accounts.findById(claims.userId).then(
      (user) => {
        if (!user) return next(unauthorized());
        const data: SocketData = { userId: user.id, name: user.name, tokenExpiresAt: claims.expiresAt };
        socket.data = data;
        next();
      },
      (error: unknown) => {
        if (isDatabaseUnavailable(error)) return next(refusal("UNAVAILABLE", "service unavailable"));
        logger.error({ err: error }, "checking the account of a handshake failed");
        next(refusal("INTERNAL", "internal error"));
      },
    );
  };
}

/** Disconnects the socket when its token expires: a connection lives no longer than its credential. */
export function disconnectOnExpiry(socket: Socket<never, never, never, SocketData>): void {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    const remaining = socket.data.tokenExpiresAt * 1000 - Date.now();
    if (remaining <= 0) {
      socket.disconnect(true);
      return;
    }
    timer = setTimeout(arm, Math.min(remaining, MAX_TIMER_MS));
    timer.unref();
  };
  arm();
  socket.once("disconnect", () => clearTimeout(timer));
}
