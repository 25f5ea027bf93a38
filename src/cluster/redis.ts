import { createClient } from "redis";
import type { Logger } from "../logger.js";
import { within } from "../within.js";

export type RedisClient = ReturnType<typeof createClient>;

/** Reconnection pauses: 100 ms more per try, at most 2 s, for as long as it takes. */
const reconnectStrategy = (retries: number) => Math.min(100 * (retries + 1), 2_000);
/** A node refuses to start when Redis does not answer within this time. */
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * The node's connections to Redis: one for commands and publishing, one for
 * subscriptions, one for Socket.IO's adapter (which makes another of its own
 * for blocking stream reads). Commands on the first fail at once while Redis
 * is away rather than queue without bound: every user of them either retries
 * or repairs after the reconnect, which `onReconnect` reports. The adapter's
 * queue while Redis is away: its read loop retries a failed read at once,
 * which spins the event loop when reads fail immediately, and its writes
 * (revocations, notifications) are few and should go out after a blip.
 */
export class RedisConnections {
  private readonly reconnectListeners = new Set<() => void>();
  private lost = false;

  private constructor(
    readonly commands: RedisClient,
    readonly subscriber: RedisClient,
    readonly forAdapter: RedisClient,
    logger: Logger,
  ) {
    for (const [role, client] of [
      ["commands", commands],
      ["subscriber", subscriber],
      ["adapter", forAdapter],
    ] as const) {
      // Without a listener an error would crash the process; a node keeps serving its own sockets instead.
      client.on("error", (error: Error) => {
        if (!this.lost) logger.warn({ err: error, role }, "lost the connection to Redis; reconnecting");
        this.lost = true;
      });
    }
    // Back only when both are: a resync published before the command connection is up would be lost.
    const ready = () => {
      if (!this.lost || !commands.isReady || !subscriber.isReady) return;
      this.lost = false;
      logger.info("reconnected to Redis");
      for (const listener of this.reconnectListeners) listener();
    };
    commands.on("ready", ready);
    subscriber.on("ready", ready);
  }

  static async connect(url: string, logger: Logger): Promise<RedisConnections> {
    const commands = createClient({
      url,
      disableOfflineQueue: true,
      socket: { reconnectStrategy, connectTimeout: CONNECT_TIMEOUT_MS },
    });
    const subscriber = commands.duplicate();
    const forAdapter = commands.duplicate({ disableOfflineQueue: false });
    const connections = new RedisConnections(commands, subscriber, forAdapter, logger);
    const clients = [commands, subscriber, forAdapter];
    try {
      // The client would keep trying for ever: a node that cannot reach Redis at start says so and stops.
      await within(
        Promise.all(clients.map((client) => client.connect())).then(() => commands.ping()),
        CONNECT_TIMEOUT_MS,
      );
    } catch (error) {
      for (const client of clients) {
        try {
          client.destroy();
        } catch {
          // never connected
        }
      }
      throw new Error(`Redis at ${new URL(url).host} does not answer: ${(error as Error).message}`);
    }
    return connections;
  }

  get isReady(): boolean {
    return this.commands.isReady && this.subscriber.isReady;
  }

  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  async close(): Promise<void> {
    this.reconnectListeners.clear();
    await Promise.allSettled([this.commands.close(), this.subscriber.close(), this.forAdapter.close()]);
  }
}
