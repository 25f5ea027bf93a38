import * as Y from "yjs";
import { AppError } from "../errors.js";
import { type TaggedState, tagOf } from "./snapshots.js";

/**
 * A Y.Doc that says what each change really added: Yjs emits one `update`
 * per transaction, synchronously, holding exactly what the document gained
 * (duplicates vanish), and that is what is relayed and stored, never the
 * raw bytes a client sent. The whole state is encoded, and tagged, at most
 * once per version.
 */
export class CapturedDoc {
  readonly doc = new Y.Doc({ gc: true });
  private captured: Uint8Array | undefined;
  private encoded: TaggedState | undefined;
  private encodedState: Uint8Array | undefined;

  constructor() {
    this.doc.on("update", (update: Uint8Array) => {
      this.captured = update;
      this.encoded = undefined;
      this.encodedState = undefined;
    });
  }

  encodeState(): Uint8Array {
    this.encodedState ??= Y.encodeStateAsUpdate(this.doc);
    return this.encodedState;
  }

  /**
   * What a peer with `stateVector` lacks. A newcomer with nothing (the usual
   * page load) gets the whole state as encoded once for this version: a
   * crowd opening a large document would otherwise encode it once each.
   */
  missingFrom(stateVector: Uint8Array): Uint8Array {
    return isEmptyStateVector(stateVector) ? this.encodeState() : Y.encodeStateAsUpdate(this.doc, stateVector);
  }

  /** The state with a tag that changes with it (an HTTP ETag). */
  taggedState(): TaggedState {
    if (!this.encoded) {
      const state = this.encodeState();
      this.encoded = { state, tag: tagOf(state) };
    }
    return this.encoded;
  }

  /** What `update` added, if anything; INVALID_UPDATE when none of it applies. */
  apply(update: Uint8Array, origin: unknown): Uint8Array | undefined {
    return this.applyEntire(update, origin).added;
  }

  /** The same, and whether Yjs read all of it: `entire` is false when it failed part way. */
  applyEntire(update: Uint8Array, origin: unknown): { added: Uint8Array | undefined; entire: boolean } {
    let entire = true;
    const added = this.capture(() => {
      try {
        Y.applyUpdate(this.doc, update, origin);
      } catch (error) {
        // Yjs commits what it integrated before throwing; that part counts as a change like any other.
        if (!this.captured) {
          throw new AppError("INVALID_UPDATE", `update could not be applied: ${(error as Error).message}`);
        }
        entire = false;
      }
    });
    return { added, entire };
  }

  /** What `updates` added together, in one transaction. */
  applyAll(updates: Iterable<Uint8Array>): Uint8Array | undefined {
    return this.capture(() => {
      Y.transact(this.doc, () => {
        for (const update of updates) Y.applyUpdate(this.doc, update);
      });
    });
  }

  /**
   * Yjs holds structs whose dependencies it lacks as pending, forever if
   * they never come; this server never keeps them. Whether there were any.
   */
  dropPending(): boolean {
    const store = this.doc.store;
    if (store.pendingStructs === null && store.pendingDs === null) return false;
    store.pendingStructs = null;
    store.pendingDs = null;
    return true;
  }

  private capture(change: () => void): Uint8Array | undefined {
    this.captured = undefined;
    try {
      change();
      return this.captured;
    } finally {
      this.captured = undefined;
    }
  }
}

/** A state vector of no clients: its count, zero (checked well-formed at the edge). */
function isEmptyStateVector(stateVector: Uint8Array): boolean {
  return stateVector.byteLength === 1 && stateVector[0] === 0;
}
