import * as encoding from "lib0/encoding";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import type { AckResponse, WireError } from "../protocol/events.js";

/** Refusals that say "not now" rather than "never": the change is sent again after a pause. */
const RETRIED_CODES = new Set(["RATE_LIMITED", "INTERNAL"]);
const RETRY_DELAY_MS = 500;

/** What the provider lends for sending: its open state, its socket, its events. */
export interface ChangeChannel {
  isOpen(): boolean;
  /** Emits `yjs:sync` with an ack; the ack says whether it timed out, else the server's answer. */
  send(message: Uint8Array, ack: (timedOut: Error | null, response: AckResponse) => void): void;
  unsyncedChanged(count: number): void;
  refused(error: WireError): void;
}

function encode(type: number, update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, type);
  encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
}

/**
 * Local changes on their way to the server. A synchronous burst of updates
 * (a paste, a loop of inserts) leaves as one merged message; each message is
 * unsynced until the server acknowledges it as stored; one refused for load
 * is sent again after a pause, and one left unanswered by a dropped
 * connection is covered by the next connection's sync handshake.
 */
export class OutgoingChanges {
  private outbox: Uint8Array[] = [];
  private inFlight = 0;
  private reported = 0;

  constructor(private readonly channel: ChangeChannel) {}

  /** Queued or sent, and not yet acknowledged as stored. */
  get unsynced(): number {
    return this.inFlight + (this.outbox.length > 0 ? 1 : 0);
  }

  queue(update: Uint8Array): void {
    this.outbox.push(update);
    if (this.outbox.length > 1) return;
    this.report();
    queueMicrotask(() => {
      const pending = this.outbox;
      this.outbox = [];
      if (!this.channel.isOpen() || pending.length === 0) {
        this.report();
        return;
      }
      this.send(
        syncProtocol.messageYjsUpdate,
        pending.length === 1 ? (pending[0] as Uint8Array) : Y.mergeUpdates(pending),
      );
    });
  }

  /** Answers the server's sync step 1 with what it lacks (offline edits travel this way). */
  sendStep2(update: Uint8Array): void {
    this.send(syncProtocol.messageYjsSyncStep2, update);
  }

  private send(type: number, update: Uint8Array): void {
    this.inFlight += 1;
    this.channel.send(encode(type, update), (timedOut, response) => {
      this.inFlight -= 1;
      this.report();
      if (timedOut || response.ok) return;
      this.channel.refused(response.error);
      if (RETRIED_CODES.has(response.error.code)) {
        setTimeout(() => {
          if (this.channel.isOpen()) this.send(syncProtocol.messageYjsUpdate, update);
        }, RETRY_DELAY_MS);
      }
    });
  }

  private report(): void {
    const count = this.unsynced;
    if (count === this.reported) return;
    this.reported = count;
    this.channel.unsyncedChanged(count);
  }
}
