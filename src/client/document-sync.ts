import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import type { AckResponse, ErrorCode, OpenOptions, OpenSync, WireError } from "../protocol/events.js";
import { fromWire, toWire } from "../protocol/wire-bytes.js";
import { type LocalEdit, LocalEdits } from "./local-edits.js";
import { OutgoingChanges } from "./outgoing-changes.js";

/** An update with no structs and no deletions: two zero counts. */
const EMPTY_UPDATE_BYTES = 2;

/** Refusals that mean "this content will never be stored": its edits are undone locally. */
const REVERTED_CODES = new Set<ErrorCode>(["READ_ONLY", "TOO_LARGE", "FORBIDDEN", "INVALID_UPDATE"]);

/** What the sync needs of the provider: its connection and its events. */
export interface SyncChannel {
  isOpen(): boolean;
  /** Emits one `yjs:sync` message; with `ack`, the server's answer (or a timeout) comes back there. */
  send(message: Uint8Array, ack?: (timedOut: Error | null, response: AckResponse) => void): void;
  unsyncedChanged(count: number): void;
  synced(): void;
  error(error: WireError): void;
  /** Local edits the server refused for good were undone in the local document. */
  reverted(code: ErrorCode, edits: number): void;
}

/**
 * The document side of a provider: the sync handshake, local changes on
 * their way to the server until stored, and the rule that what the server
 * refuses for good does not stay in the local document. While the caller's
 * role is known to be read-only nothing local is sent: each local edit is
 * undone at once, and reported once per read-only spell.
 */
export class DocumentSync {
  private readonly outgoing: OutgoingChanges<LocalEdit>;
  private readonly edits: LocalEdits;
  /** The server said this role may not change the document (false until it says anything). */
  private readOnly = false;
  private readOnlyReported = false;

  constructor(
    private readonly doc: Y.Doc,
    private readonly channel: SyncChannel,
    /** The origin of the server's changes in the doc's transactions (the provider, as y-websocket does). */
    private readonly remoteOrigin: unknown,
  ) {
    this.edits = new LocalEdits(doc);
    this.outgoing = new OutgoingChanges<LocalEdit>({
      isOpen: () => channel.isOpen(),
      send: (message, ack) => channel.send(message, ack),
      unsyncedChanged: (count) => channel.unsyncedChanged(count),
      stored: (edits) => this.edits.stored(edits),
      refused: (error, edits) => this.refused(error, edits),
      retrying: (error) => channel.error(error),
    });
    doc.on("update", this.onDocumentUpdate);
  }

  /** Local changes not yet acknowledged as stored by the server (queued or sent). */
  get unsyncedChanges(): number {
    return this.outgoing.count;
  }

  /** What the server says of the caller's role, at each open and at each change. */
  setReadOnly(readOnly: boolean): void {
    if (readOnly && !this.readOnly) this.readOnlyReported = false;
    this.readOnly = readOnly;
  }

  /** What the open sends, so that its ack can carry the server's half of the handshake. */
  openOptions(): OpenOptions {
    return { stateVector: toWire(Y.encodeStateVector(this.doc)) };
  }

  /**
   * The project is open. With the server's half of the handshake in the ack:
   * apply what we lack (synced), answer with what the server lacks. Without
   * it (a server that does not answer in the ack): the server's step 1 will
   * follow, and ours asks for what we lack.
   */
  opened(sync?: OpenSync): void {
    const update = sync && fromWire(sync.update);
    const serverState = sync && fromWire(sync.stateVector);
    if (!update || !serverState) {
      const encoder = encoding.createEncoder();
      syncProtocol.writeSyncStep1(encoder, this.doc);
      this.channel.send(encoding.toUint8Array(encoder));
      return;
    }
    try {
      Y.applyUpdate(this.doc, update, this.remoteOrigin);
    } catch (error) {
      this.channel.error({
        code: "INVALID_UPDATE",
        message: `the server sent an update that does not apply: ${error}`,
      });
    }
    // Nothing to tell and nothing waiting for an ack (which a step 2, empty or not, would bring): "saved" at once.
    const missing = Y.encodeStateAsUpdate(this.doc, serverState);
    if (this.outgoing.count > 0 || missing.byteLength > EMPTY_UPDATE_BYTES) this.outgoing.sendStep2(missing);
    this.channel.synced();
  }

  receive(message: Uint8Array): void {
    const decoder = decoding.createDecoder(message);
    const type = decoding.readVarUint(decoder);
    if (type === syncProtocol.messageYjsSyncStep1) {
      // Answer with what the server lacks: offline edits travel this way.
      this.outgoing.sendStep2(Y.encodeStateAsUpdate(this.doc, decoding.readVarUint8Array(decoder)));
      return;
    }
    syncProtocol.readSyncStep2(decoder, this.doc, this.remoteOrigin, (error) =>
      this.channel.error({
        code: "INVALID_UPDATE",
        message: `the server sent an update that does not apply: ${error.message}`,
      }),
    );
    if (type === syncProtocol.messageYjsSyncStep2) this.channel.synced();
  }

  destroy(): void {
    this.doc.off("update", this.onDocumentUpdate);
    this.edits.destroy();
  }

  private readonly onDocumentUpdate = (
    update: Uint8Array,
    origin: unknown,
    _doc: Y.Doc,
    transaction: Y.Transaction,
  ) => {
    if (origin === this.remoteOrigin || this.edits.isRevert(origin)) return;
    const edit = this.edits.editOf(transaction);
    if (this.readOnly && edit) {
      // The server would refuse it: undo it once this transaction is over, and send nothing.
      queueMicrotask(() => this.revert("READ_ONLY", [edit]));
      return;
    }
    // Made offline, it is counted as unsynced now and carried by the next connection's sync step 2.
    this.outgoing.queue(update, edit);
  };

  private refused(error: WireError, edits: LocalEdit[]): void {
    if (error.code === "READ_ONLY") {
      // A demotion the role event has not told yet: the server knows best.
      this.setReadOnly(true);
    } else {
      this.channel.error(error);
    }
    if (REVERTED_CODES.has(error.code)) this.revert(error.code, edits);
  }

  private revert(code: ErrorCode, edits: LocalEdit[]): void {
    const undone = this.edits.revert(edits);
    if (undone === 0) return;
    if (code === "READ_ONLY") {
      if (this.readOnlyReported) return;
      this.readOnlyReported = true;
    }
    this.channel.reverted(code, undone);
  }
}
