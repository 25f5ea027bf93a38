import * as Y from "yjs";

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
  private cancel: (() => void) | undefined;
  private lastRelayAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly intervalMs: number,
    private readonly send: RelaySend,
  ) {}

  add(update: Uint8Array, from?: string): void {
    this.pending.push({ update, from });
    if (this.pending.length > 1) return;
    const wait = this.lastRelayAt + this.intervalMs - performance.now();
    if (wait > 0) {
      const timer = setTimeout(this.flush, wait);
      this.cancel = () => clearTimeout(timer);
    } else {
      // At once, not at the end of the turn: the rest of a busy turn (other rooms' messages, a batch of acks) would
      // otherwise delay it, and what follows within the interval is merged anyway.
      this.flush();
    }
  }

  /** Drops what is waiting: the document is going away, and nobody is left to receive it. */
  stop(): void {
    this.pending = [];
    this.cancel?.();
  }

  private readonly flush = () => {
    const changes = this.pending;
    this.pending = [];
    this.cancel = undefined;
    this.lastRelayAt = performance.now();
    const [only] = changes;
    if (!only) return;
    if (changes.length === 1) this.send(only.update, only.from);
    else this.send(Y.mergeUpdates(changes.map((change) => change.update)));
  };
}
