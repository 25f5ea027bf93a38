import { RateLimiter } from "./limits.js";

/**
 * What the document layer needs from a transport connection (a Socket.IO
 * socket here). Keeping it this small is what lets the document core be
 * tested, and moved across transports, without Socket.IO.
 */
export interface ConnectionTransport {
  readonly id: string;
  readonly userId: string;
  readonly userName: string;
  /** Asked at each change, so role changes apply live. */
  canWrite(): boolean;
  sendSync(message: Uint8Array): void;
  sendAwareness(update: Uint8Array): void;
}

/** One transport connection's presence in one document, and what it owns there. */
export class CollabConnection {
  /** Awareness client ids this connection announced; only it may change or remove them. */
  readonly awarenessClients = new Set<number>();
  readonly rateLimiter: RateLimiter;

  constructor(
    readonly transport: ConnectionTransport,
    messagesPerSecond: number,
  ) {
    this.rateLimiter = new RateLimiter(messagesPerSecond);
  }

  get id(): string {
    return this.transport.id;
  }
}
