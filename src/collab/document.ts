import * as Y from "yjs";
import { AppError } from "../errors.js";
import { CapturedDoc } from "./captured-doc.js";
import { ClientIds } from "./client-ids.js";
import type { CollabConnection } from "./connection.js";
import { type AwarenessDelivery, DocumentAwareness } from "./document-awareness.js";
import { KnownUpdates } from "./known-updates.js";
import type { CollabLimits } from "./limits.js";
import type { PeerMessage } from "./peer-messages.js";
import { type PersistenceLog, PersistQueue } from "./persistence.js";
import { RelaySchedule } from "./relay-schedule.js";
import { SizeLimit } from "./size-limit.js";
import { mergeIntoSnapshot, type TaggedState } from "./snapshots.js";
import type { ClientBinding, DocumentStore, StoredDocument } from "./storage.js";
import {
  encodeSyncStep1,
  encodeUpdateMessage,
  hasClockGap,
  InvalidMessageError,
  readSyncMessage,
} from "./sync-messages.js";
import { answerInAck, answerStep1, requestResync } from "./sync-replies.js";

/** How a document reaches every connection in its room on this node at once (one encoding for all). */
export interface DocumentBroadcaster {
  sync(documentId: string, message: Uint8Array, exceptConnectionId?: string): void;
  awareness(documentId: string, update: Uint8Array, delivery: AwarenessDelivery): void;
}

/** A newcomer's sync and who is here, in its open's ack; `sent` once the ack is out. */
export interface WelcomeInAck {
  update: Uint8Array;
  stateVector: Uint8Array;
  awareness: Uint8Array | undefined;
  sent(): void;
}

/** The origin of changes that came from other nodes. */
const PEERS = Symbol("peers");

/**
 * One project's Yjs document on this node: the shared Y.Doc, its awareness,
 * the connections in its room, and the log its changes are stored in. Every
 * change a client sends is checked before it touches the Y.Doc, and what is
 * relayed and stored is what the Y.Doc actually gained, not the raw bytes.
 */
export class CollabDocument {
  private readonly shared = new CapturedDoc();
  readonly doc = this.shared.doc;
  readonly connections = new Map<string, CollabConnection>();
  private readonly clientIds = new ClientIds();
  private readonly presence: DocumentAwareness;
  private readonly persistence: PersistQueue;
  private readonly relays: RelaySchedule;
  /** What the last compaction of this document stored as its snapshot (if it was written: the store may refuse). */
  private lastSnapshot: Uint8Array | undefined;
  private readonly size: SizeLimit;
  /** Stored records this Y.Doc holds already, which compaction need not apply again. */
  private readonly known: KnownUpdates;

  constructor(
    readonly id: string,
    store: DocumentStore,
    broadcaster: DocumentBroadcaster,
    private readonly limits: CollabLimits,
    log: PersistenceLog,
    /** To the other nodes holding this document; none on a single node. */
    private readonly toPeers?: (message: PeerMessage) => void,
  ) {
    this.size = new SizeLimit(limits.maxDocumentBytes, () => this.encodeState().byteLength);
    this.persistence = new PersistQueue(store, id, limits.compactAfterUpdates, this.snapshotOf, log);
    this.known = new KnownUpdates(limits.compactAfterUpdates, () => this.persistence.logBytesBeforeCompaction);
    this.relays = new RelaySchedule(limits.relayIntervalMs, (update, except) =>
      broadcaster.sync(id, encodeUpdateMessage(update), except),
    );
    this.presence = new DocumentAwareness(
      this.doc,
      this.clientIds,
      limits,
      (update, delivery) => broadcaster.awareness(id, update, delivery),
      (connectionId) => this.connections.has(connectionId),
      () => this.connections.size,
      toPeers && ((update, bindings) => toPeers({ type: "awareness", payload: update, bindings })),
    );
  }

  get awareness() {
    return this.presence.awareness;
  }

  /** Applies what the store holds; before any connection joins, so nothing is relayed or stored again. */
  loadStored(stored: StoredDocument): void {
    this.shared.applyAll(stored.updates);
    this.clientIds.load(stored.bindings);
    const storedBytes = stored.updates.reduce((total, update) => total + update.byteLength, 0);
    this.size.reset(storedBytes);
    this.persistence.loaded(storedBytes);
  }

  addConnection(connection: CollabConnection): void {
    this.connections.set(connection.id, connection);
  }

  /** Removes the connection and the awareness states it held, telling the room: no ghost cursors. */
  removeConnection(connectionId: string): void {
    const connection = this.connections.get(connectionId);
    if (!connection) return;
    this.connections.delete(connectionId);
    clearTimeout(connection.resyncDue);
    this.presence.removeConnection(connection);
  }

  /** The whole document as one update, encoded once per version. */
  encodeState(): Uint8Array {
    return this.shared.encodeState();
  }

  taggedState(): TaggedState {
    return this.shared.taggedState();
  }

  /**
   * What compaction stores: the live document's state, after applying what
   * was read from the store to it. That costs little, Yjs skipping what the
   * document already has (as it does, unless another writer reached the
   * store), and is several times cheaper than integrating the snapshot and
   * the log into a fresh Y.Doc, while people type. Anything it did lack is
   * now part of it and goes to the room. The live state may be ahead of the
   * store; that is harmless.
   */
  private readonly snapshotOf = (stored: Uint8Array[]): Uint8Array => {
    if (this.doc.isDestroyed) return mergeIntoSnapshot(stored);
    const written = this.lastSnapshot;
    // The snapshot this document wrote last, and the records it stored or took from peers, hold nothing it
    // lacks: decoding them would be nearly all of the cost.
    const found = this.shared.applyAll(
      stored.filter(
        (update) =>
          !(written && update.byteLength === written.byteLength && Buffer.compare(update, written) === 0) &&
          !this.known.has(update),
      ),
    );
    if (this.shared.dropPending()) {
      // Folding these in would lose them: keep the log as it is.
      throw new Error("stored updates depend on changes no one has; not compacting");
    }
    if (found) this.relays.add(found);
    this.lastSnapshot = this.encodeState();
    this.size.reset(this.lastSnapshot.byteLength);
    return this.lastSnapshot;
  };

  /** Its encoded size, at most (see SizeLimit): what it costs the node, for metrics and the memory budget. */
  get approximateBytes(): number {
    return this.size.bytes;
  }

  /** After a successful open: the server's sync step 1, then who is here. */
  welcome(connection: CollabConnection): void {
    connection.transport.sendSync(encodeSyncStep1(this.doc));
    const everyone = this.presence.encodeAll(connection);
    if (everyone) connection.transport.sendAwareness(everyone);
  }

  /** The same welcome for the open's ack to carry, with the answer to the state vector the open sent (checked). */
  welcomeInAck(connection: CollabConnection, stateVector: Uint8Array): WelcomeInAck {
    const { update, sent } = answerInAck(this.shared, connection, stateVector, this.holds(connection));
    return { update, stateVector: Y.encodeStateVector(this.doc), awareness: this.presence.encodeAll(connection), sent };
  }

  /**
   * Handles one sync message from `connection`. Resolves when whatever it
   * changed is durably stored; rejects with an AppError the sender is told.
   */
  receiveSync(connection: CollabConnection, message: Uint8Array): Promise<void> {
    connection.admit(message, this.limits.maxMessageBytes);
    let parsed: ReturnType<typeof readSyncMessage>;
    try {
      parsed = readSyncMessage(message);
    } catch (error) {
      if (error instanceof InvalidMessageError) throw new AppError("INVALID_UPDATE", error.message);
      throw error;
    }
    if (parsed.type === "step1") {
      answerStep1(this.shared, connection, parsed.stateVector, this.holds(connection));
      return Promise.resolve();
    }
    if (!connection.transport.canWrite()) {
      // A viewer's step 2 that holds nothing new is just the sync handshake, not an edit.
      if (Y.snapshotContainsUpdate(Y.snapshot(this.doc), parsed.update)) return Promise.resolve();
      throw new AppError("READ_ONLY", "your role may not change this document");
    }
    if (hasClockGap(this.doc, parsed.clocks)) {
      // Applying it would leave it pending, held forever if the gap never fills: ask for a full resync instead.
      throw requestResync(this.doc, connection, this.holds(connection));
    }
    const { userId } = connection.transport;
    const additions = this.clientIds.checkAdditions(this.doc, parsed.clocks, userId);
    if (additions.adds) this.size.check(parsed.update.byteLength);
    const effective = this.shared.apply(parsed.update, connection);
    // Dependencies on another client's changes the server lacks (cheaper to find after applying than before):
    // Yjs keeps such structs pending. Drop them and ask for a resync; only what was integrated is kept and stored.
    const pending = this.shared.dropPending();
    // A change the document already had (a resend after a lost or refused ack, a duplicate) is acknowledged
    // only once whatever it duplicates is stored: that may still be on its way to the store.
    const stored = effective
      ? this.storeAndRelay(effective, connection, this.clientIds.bind(additions.unbound, userId))
      : this.persistence.flush();
    if (!pending) return stored;
    const refusal = requestResync(this.doc, connection, this.holds(connection));
    return stored.then(() => Promise.reject(refusal));
  }

  private storeAndRelay(update: Uint8Array, from: CollabConnection, bindings: ClientBinding[]): Promise<void> {
    this.size.grew(update.byteLength);
    this.relays.add(update, from.id);
    this.toPeers?.({ type: "update", payload: update, bindings });
    this.known.add(update); // after the relay and the publish, which others wait for; only compaction reads it
    return this.persistence.enqueue(update, bindings);
  }

  /** Whether a reply sent to `connection` later still has a reader: it is still here, and so is the document. */
  private holds(connection: CollabConnection): () => boolean {
    return () => this.connections.get(connection.id) === connection && !this.doc.isDestroyed;
  }

  /** Handles one awareness update: only the sender's own client ids, with its identity stamped on each state. */
  receiveAwareness(connection: CollabConnection, update: Uint8Array): void {
    connection.admit(update, this.limits.maxMessageBytes);
    this.presence.receive(connection, update);
  }

  /**
   * A message from another node holding this document. Its changes are
   * relayed to this node's connections but not stored: the node that
   * accepted a change from its client stores it (and acks it).
   */
  receivePeer(message: PeerMessage): void {
    if (this.doc.isDestroyed) return;
    if (message.type === "sync1") {
      const missing = Y.encodeStateAsUpdate(this.doc, message.stateVector);
      this.toPeers?.({ type: "sync2", payload: missing, bindings: this.clientIds.bindings() });
      if (message.reply) this.requestPeerSync(false);
      return;
    }
    if (message.type === "awareness") {
      // Claims, as if announced here: stored bindings come only with the changes that made them.
      for (const { clientId, userId } of message.bindings) this.clientIds.claim(clientId, userId);
      this.presence.receivePeer(message.payload);
      return;
    }
    // Stored by the node that accepted the change, with the update; a sync2 is no record of the log.
    this.clientIds.load(message.bindings);
    const stored = message.type === "update";
    if (stored) this.persistence.countStoredElsewhere(message.payload.byteLength);
    let applied: ReturnType<CapturedDoc["applyEntire"]>;
    try {
      applied = this.shared.applyEntire(message.payload, PEERS);
    } catch {
      return; // a change that does not apply here is another node's business; the next sync repairs any gap
    }
    // Built on a change this node never got (a message lost between nodes): ask for everything missing.
    if (this.shared.dropPending()) this.requestPeerSync(false);
    else if (stored && applied.entire) this.known.add(message.payload);
    const effective = applied.added;
    if (!effective) return;
    this.size.grew(effective.byteLength);
    this.relays.add(effective);
  }

  /**
   * Asks the other nodes for what this node lacks: after a load (changes
   * accepted elsewhere and not stored yet) and after the link to them came
   * back (messages lost meanwhile). `reply` asks them to do the same in turn,
   * so what they lack of this node's changes travels too.
   */
  requestPeerSync(reply: boolean): void {
    this.toPeers?.({ type: "sync1", stateVector: Y.encodeStateVector(this.doc), reply });
  }

  /** Everything stored so far; then folds the log into a snapshot. */
  async storeAndCompact(): Promise<void> {
    await this.persistence.compact();
  }

  flush(): Promise<void> {
    return this.persistence.flush();
  }

  /** For a deleted project: stop writing; resolves once no write is under way. */
  abandon(): Promise<void> {
    return this.persistence.stop();
  }

  destroy(): void {
    this.relays.stop();
    this.presence.destroy();
    this.doc.destroy();
  }
}
