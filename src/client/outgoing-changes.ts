import * as encoding from "lib0/encoding";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import type { AckResponse, WireError } from "../protocol/events.js";
import { retryDelayMs } from "./backoff.js";

/** Refusals that say "not now" rather than "never": the change is sent again after a pause. */
const RETRIED_CODES = new Set(["RATE_LIMITED", "INTERNAL", "UNAVAILABLE"]);

/** What the provider lends for sending: its open state, its socket, its events. */
export interface ChangeChannel {
  isOpen(): boolean;
  /** Emits `yjs:sync` with an ack; the ack says whether it timed out, else the server's answer. */
  send(message: Uint8Array, ack: (timedOut: Error | null, response: AckResponse) => void): void;
  unsyncedChanged(count: number): void;
  refused(error: WireError): void;
}

/** One message's worth of local changes, unsynced until the server says it is stored. */
interface Change {
  type: number;
  update: Uint8Array;
  /** For a sync step 2: the changes it carries, stored with it. */
  covers?: Change[];
  attempts: number;
}

function encode(type: number, update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, type);
  encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
}

/**
 * Local changes on their way to the server. A synchronous burst of updates
 * (a paste, a loop of inserts) leaves as one merged message. A change stays
 * unsynced until the server acknowledges it as stored: one refused for now
 * (rate, outage) or left unanswered is sent again after a pause; one made
 * offline, or in flight when the connection dropped, is carried by the next
 * connection's sync step 2, which settles everything it covers.
 */
export class OutgoingChanges {
  private outbox: Uint8Array[] = [];
  private readonly unsynced = new Set<Change>();
  private reported = 0;

  constructor(private readonly channel: ChangeChannel) {}

  /** Made locally and not yet acknowledged as stored: queued, sent, waiting to be sent again, or made offline. */
  get count(): number {
    return this.unsynced.size + (this.outbox.length > 0 ? 1 : 0);
  }

  queue(update: Uint8Array): void {
    this.outbox.push(update);
    if (this.outbox.length > 1) return;
    this.report();
    queueMicrotask(() => {
      const pending = this.outbox;
      this.outbox = [];
      if (pending.length === 0) return;
      const merged = pending.length === 1 ? (pending[0] as Uint8Array) : Y.mergeUpdates(pending);
      const change: Change = { type: syncProtocol.messageYjsUpdate, update: merged, attempts: 0 };
      this.unsynced.add(change);
      this.report();
      if (this.channel.isOpen()) this.send(change);
    });
  }

  /** Answers the server's sync step 1 with what it lacks: every unsynced change is in it. */
  sendStep2(update: Uint8Array): void {
    const change: Change = {
      type: syncProtocol.messageYjsSyncStep2,
      update,
      covers: [...this.unsynced],
      attempts: 0,
    };
    this.unsynced.add(change);
    this.report();
    this.send(change);
  }

  private send(change: Change): void {
    this.channel.send(encode(change.type, change.update), (timedOut, response) => {
      if (!this.unsynced.has(change)) return; // a later step 2 carried it meanwhile
      if (!timedOut) {
        if (response.ok) return this.settle(change);
        this.channel.refused(response.error);
        // Refused for good (read-only, invalid, too large): the error says why; nothing to send again.
        if (!RETRIED_CODES.has(response.error.code)) return this.settle(change);
      }
      // Offline by then: the next connection's step 2 carries it.
      if (!this.channel.isOpen()) return;
      const delay = retryDelayMs(change.attempts++);
      setTimeout(() => {
        if (this.unsynced.has(change) && this.channel.isOpen()) this.send(change);
      }, delay);
    });
  }

  private settle(change: Change): void {
    this.unsynced.delete(change);
    for (const covered of change.covers ?? []) this.unsynced.delete(covered);
    this.report();
  }

  private report(): void {
    const count = this.count;
    if (count === this.reported) return;
    this.reported = count;
    this.channel.unsyncedChanged(count);
  }
}
