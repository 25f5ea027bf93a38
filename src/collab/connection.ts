import { AppError } from "../errors.js";
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
  /** Calls back once everything sent so far has left this node (or the connection is gone). */
  whenDrained(callback: () => void): void;
}

/** One transport connection's presence in one document, and what it owns there. */
export class CollabConnection {
  /** Awareness client ids whose state this connection holds; they are removed when it leaves. */
  readonly awarenessClients = new Set<number>();
  readonly messages: RateLimiter;
  readonly bytes: RateLimiter;
  /** A full-state answer (sync step 2) sent and not yet drained: at most one is in flight. */
  answering = false;
  /** The latest sync step 1 that arrived while an answer was in flight; answered once it drains. */
  queuedStateVector: Uint8Array | undefined;
  /** When the server last asked this connection for a resync (sync step 1), and whether another one is due. */
  resyncRequestedAt = Number.NEGATIVE_INFINITY;
  resyncDue: NodeJS.Timeout | undefined;

  constructor(
    readonly transport: ConnectionTransport,
    limits: { messagesPerSecond: number; bytesPerSecond: number; maxDocumentBytes: number },
    /** The user's budget across all their connections on this node. */
    readonly userBytes: RateLimiter,
  ) {
    this.messages = new RateLimiter(limits.messagesPerSecond);
    this.bytes = new RateLimiter(limits.bytesPerSecond, limits.maxDocumentBytes);
  }

  get id(): string {
    return this.transport.id;
  }

  /** Size first, then the message rate, then the bytes (each byte is decoded): per connection and per user. */
  admit(message: Uint8Array, maxMessageBytes: number): void {
    const size = message.byteLength;
    if (size > maxMessageBytes) throw new AppError("TOO_LARGE", "message is too large");
    if (!this.messages.tryTake()) throw new AppError("RATE_LIMITED", "too many messages; slow down");
    if (!this.bytes.tryTake(size) || !this.userBytes.tryTake(size)) {
      throw new AppError("RATE_LIMITED", "too much document traffic; slow down");
    }
  }

  /** Counts work done for this connection (bytes encoded for it) against its budgets. */
  charge(bytes: number): void {
    this.bytes.charge(bytes);
    this.userBytes.charge(bytes);
  }
}
