import type { Namespace, Socket } from "socket.io";
import type { Logger } from "../logger.js";
import { refusal } from "./handshake.js";

/** Disconnections are spread over the drain in this many steps at most (one every DRAIN_SECONDS / steps). */
const MAX_STEPS = 50;

/**
 * Taking this node out of rotation without losing an edit. Once started,
 * new namespace handshakes are refused with DRAINING and their connection
 * closed, so the client's next attempt is a new connection a load balancer
 * can send elsewhere; every socket here hears `server:draining`, then is
 * disconnected, a slice at a time over the drain: reconnecting clients
 * arrive at the other nodes spread out, not as one stampede. Edits in
 * flight are safe either way: an acked one is stored, an unacked one is
 * still the client's and travels with its next handshake.
 */
export class Drain {
  private drained: Promise<void> | undefined;

  constructor(
    private readonly namespaces: Namespace[],
    private readonly logger: Logger,
  ) {}

  get active(): boolean {
    return this.drained !== undefined;
  }

  /** Namespace middleware, first in line: nothing new is accepted while draining. */
  readonly refuseWhileDraining = (socket: Socket, next: (error?: Error) => void): void => {
    if (!this.active) {
      next();
      return;
    }
    next(refusal("DRAINING", "this node is draining; connect again"));
    // After the refusal is written: the client's retry must be a new connection, not this one to a leaving node.
    setImmediate(() => socket.conn.close());
  };

  /** Starts draining (once; later calls get the same promise), resolving when no socket is left on this node. */
  start(withinMs: number): Promise<void> {
    this.drained ??= this.run(withinMs);
    return this.drained;
  }

  private async run(withinMs: number): Promise<void> {
    const sockets = this.namespaces.flatMap((namespace) => [...namespace.sockets.values()]);
    this.logger.info({ sockets: sockets.length, withinMs }, "draining: handing this node's sockets off");
    for (const namespace of this.namespaces) namespace.local.emit("server:draining", { withinMs });
    const steps = Math.max(1, Math.min(MAX_STEPS, sockets.length));
    const perStep = Math.ceil(sockets.length / steps);
    for (let step = 0; step < steps; step++) {
      // The first slice waits a turn too: the ack of the node:drain that started this must reach its admin first.
      await new Promise((resolve) => (step > 0 ? setTimeout(resolve, withinMs / steps) : setImmediate(resolve)));
      for (const socket of sockets.slice(step * perStep, (step + 1) * perStep)) socket.disconnect(true);
    }
    // A handshake that passed the middlewares just before the drain began connected after the list was taken.
    for (const namespace of this.namespaces) namespace.local.disconnectSockets(true);
    this.logger.info("draining: every socket is gone");
  }
}
