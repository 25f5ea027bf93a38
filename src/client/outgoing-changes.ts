import * as encoding from "lib0/encoding";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import type { AckResponse, WireError } from "../protocol/events.js";
import { retryDelayMs } from "./backoff.js";

/** Refusals that say "not now" rather than "never": the change is sent again after a pause. */
const RETRIED_CODES = new Set(["RATE_LIMITED", "INTERNAL", "UNAVAILABLE"]);

/**
 * What the provider lends for sending: its open state, its socket, its events.
 * `Edit` is whatever the provider tags a local update with (it gets the tags
 * back once the change is stored or refused for good).
 */
export interface ChangeChannel<Edit = unknown> {
  isOpen(): boolean;
  /** Emits `yjs:sync` with an ack; the ack says whether it timed out, else the server's answer. */
  send(message: Uint8Array, ack: (timedOut: Error | null, response: AckResponse) => void): void;
  unsyncedChanged(count: number): void;
  /** The server stored a change: the edits it carried are safe. */
  stored(edits: Edit[]): void;
  /** The server refused a change for good (read-only, invalid, too large): the edits it carried will never be stored. */
  refused(error: WireError, edits: Edit[]): void;
  /** The server refused a change for now (rate, outage): it is sent again after a pause. */
  retrying(error: WireError): void;
}

/** One message's worth of local changes, unsynced until the server says it is stored. */
interface Change<Edit> {
  type: number;
  update: Uint8Array;
  edits: Edit[];
  /** For a sync step 2: the changes it carries, stored with it. */
  covers?: Change<Edit>[];
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
export class OutgoingChanges<Edit = unknown> {
  private outbox: Uint8Array[] = [];
  private outboxEdits: Edit[] = [];
  private readonly unsynced = new Set<Change<Edit>>();
  private reported = 0;

  constructor(private readonly channel: ChangeChannel<Edit>) {}

  /** Made locally and not yet acknowledged as stored: queued, sent, waiting to be sent again, or made offline. */
  get count(): number {
    return this.unsynced.size + (this.outbox.length > 0 ? 1 : 0);
  }

  /** `edit`, when given, is handed back through the channel once the update is stored or refused for good. */
  queue(update: Uint8Array, edit?: Edit): void {
    this.outbox.push(update);
    if (edit !== undefined) this.outboxEdits.push(edit);
    if (this.outbox.length > 1) return;
    this.report();
    queueMicrotask(() => {
      const pending = this.outbox;
      const edits = this.outboxEdits;
      this.outbox = [];
      this.outboxEdits = [];
      if (pending.length === 0) return;
      const merged = pending.length === 1 ? (pending[0] as Uint8Array) : Y.mergeUpdates(pending);
      const change: Change<Edit> = { type: syncProtocol.messageYjsUpdate, update: merged, edits, attempts: 0 };
      this.unsynced.add(change);
      this.report();
      if (this.channel.isOpen()) this.send(change);
    });
  }

  /** Answers the server's sync step 1 with what it lacks: every unsynced change is in it. */
  sendStep2(update: Uint8Array): void {
    const covers = [...this.unsynced];
    const change: Change<Edit> = {
      type: syncProtocol.messageYjsSyncStep2,
      update,
      edits: [],
      covers,
      attempts: 0,
    };
    this.unsynced.add(change);
    this.report();
    this.send(change);
  }

  private send(change: Change<Edit>): void {
    this.channel.send(encode(change.type, change.update), (timedOut, response) => {
      if (!this.unsynced.has(change)) return; // a later step 2 carried it meanwhile
      if (!timedOut) {
        if (response.ok) {
          this.channel.stored(this.settle(change));
          return;
        }
        if (response.error.code === "RESYNC") {
          // Not refused: the server asked for a resync (its sync step 1 came first), and the step 2 answering it
          // carries this change, and settles it once stored. Sent again as it is, it would be refused again.
          return;
        }
        if (!RETRIED_CODES.has(response.error.code)) {
          // Refused for good (read-only, invalid, too large): the error says why; nothing to send again.
          this.channel.refused(response.error, this.settle(change));
          return;
        }
        this.channel.retrying(response.error);
      }
      // Offline by then: the next connection's step 2 carries it.
      if (!this.channel.isOpen()) return;
      const delay = retryDelayMs(change.attempts++);
      setTimeout(() => {
        if (this.unsynced.has(change) && this.channel.isOpen()) this.send(change);
      }, delay);
    });
  }

  /** `change` is answered for good: it and whatever it covers leave the unsynced set. Returns their edits. */
  private settle(change: Change<Edit>): Edit[] {
    // A covered change answered earlier handed its edits back then.
    const settled = [change, ...(change.covers ?? []).filter((covered) => this.unsynced.has(covered))];
    for (const each of settled) this.unsynced.delete(each);
    this.report();
    return settled.flatMap((each) => each.edits);
  }

  private report(): void {
    const count = this.count;
    if (count === this.reported) return;
    this.reported = count;
    this.channel.unsyncedChanged(count);
  }
}
