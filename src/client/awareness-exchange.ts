import {
  type Awareness,
  applyAwarenessUpdate,
  encodeAwarenessUpdate,
  removeAwarenessStates,
} from "y-protocols/awareness";
import { fromWire, toWire, type WireBytes } from "../protocol/wire-bytes.js";

/** What the exchange needs of the provider's connection. */
export interface AwarenessChannel {
  isOpen(): boolean;
  send(update: WireBytes): void;
}

/**
 * The provider's side of awareness: local changes go to the server while the
 * project is open, the room's arrive from it, the local state is announced
 * again at each open, and everyone else's states go when the connection
 * does (the server removes ours for the others).
 */
export class AwarenessExchange {
  constructor(
    private readonly awareness: Awareness,
    private readonly channel: AwarenessChannel,
  ) {
    awareness.on("update", this.onLocalChange);
  }

  /** After each open: the server knows nothing of this client's state yet. */
  announce(): void {
    if (this.awareness.getLocalState() === null) return;
    this.channel.send(toWire(encodeAwarenessUpdate(this.awareness, [this.awareness.clientID])));
  }

  receive(data: unknown): void {
    const update = fromWire(data);
    if (update) applyAwarenessUpdate(this.awareness, update, this);
  }

  /** The connection is gone: nobody else's state is known any more. */
  forgetOthers(): void {
    const others = [...this.awareness.getStates().keys()].filter((client) => client !== this.awareness.clientID);
    if (others.length > 0) removeAwarenessStates(this.awareness, others, this);
  }

  stop(): void {
    this.awareness.off("update", this.onLocalChange);
  }

  private readonly onLocalChange = (
    { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ) => {
    if (origin === this || !this.channel.isOpen()) return;
    this.channel.send(toWire(encodeAwarenessUpdate(this.awareness, [...added, ...updated, ...removed])));
  };
}
