import * as Y from "yjs";
import { Paced } from "./paced.js";

/** Where a relay goes: one update, to the room, skipping `exceptConnectionId` when given. */
export type RelaySend = (update: Uint8Array, exceptConnectionId?: string) => void;

/**
 * A busy document's changes go out merged, at most one relay per interval,
 * so each socket gets one frame per interval instead of one per keystroke of
 * everyone in the room; a change after a quiet spell goes out at once. A
 * lone change skips its sender; a merged one goes to everyone, and its
 * senders apply their own changes again as no-ops (y-websocket's server
 * always echoes).
 */
export class RelaySchedule {
  private pending: Array<{ update: Uint8Array; from: string | undefined }> = [];
  private readonly paced: Paced;

  constructor(intervalMs: number, send: RelaySend) {
    this.paced = new Paced(
      () => intervalMs,
      () => {
        const changes = this.pending;
        this.pending = [];
        const [only] = changes;
        if (!only) return;
        if (changes.length === 1) send(only.update, only.from);
        else send(Y.mergeUpdates(changes.map((change) => change.update)));
      },
    );
  }

  add(update: Uint8Array, from?: string): void {
    this.pending.push({ update, from });
    this.paced.request();
  }

  /** Drops what is waiting: the document is going away, and nobody is left to receive it. */
  stop(): void {
    this.pending = [];
    this.paced.stop();
  }
}
