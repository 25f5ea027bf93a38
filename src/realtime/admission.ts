import type { IncomingMessage } from "node:http";
import type { Socket } from "socket.io";
import type { Logger } from "../logger.js";
import type { SocketData } from "../protocol/events.js";
import { originRefused } from "./handshake.js";

/**
 * CORS does not cover WebSocket upgrades, so the origin is checked for every
 * namespace handshake, and a refusal says so (`ORIGIN_REFUSED`) rather than
 * failing the transport anonymously. Requests without an Origin (Node, mobile
 * apps) pass: their JWT is their credential (no cookie is ever trusted, so a
 * connection from a foreign page can do nothing before this refusal).
 */
function isAllowedOrigin(headers: IncomingMessage["headers"], allowed: string[] | undefined): boolean {
  const origin = headers.origin;
  if (!origin) return true;
  if (allowed) return allowed.includes(origin);
  const host = headers.host;
  return host !== undefined && (origin === `http://${host}` || origin === `https://${host}`);
}

/** Namespace middleware: browser pages of the service's own origin, or of `allowed`, and clients without one. */
export function originCheck(allowed: string[] | undefined) {
  return (socket: { handshake: { headers: IncomingMessage["headers"] } }, next: (error?: Error) => void) =>
    isAllowedOrigin(socket.handshake.headers, allowed) ? next() : next(originRefused());
}

/** One line when a socket joins a namespace and one when it goes (why, after how long): never one per message. */
export function connectionLog(logger: Logger) {
  return (socket: Socket<never, never, never, SocketData>, namespace: string): void => {
    const connectedAt = performance.now();
    const fields = { socketId: socket.id, userId: socket.data.userId, namespace };
    logger.info(fields, "socket connected");
    socket.once("disconnect", (reason) =>
      logger.info(
        { ...fields, reason, connectedMs: Math.round(performance.now() - connectedAt) },
        "socket disconnected",
      ),
    );
  };
}
