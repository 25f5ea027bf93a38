import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate, removeAwarenessStates } from "y-protocols/awareness";
import * as Y from "yjs";
import { AppError } from "../errors.js";
import {
  type AwarenessEntry,
  InvalidAwarenessError,
  readAwarenessUpdate,
  writeAwarenessUpdate,
} from "./awareness-messages.js";
import type { CollabConnection } from "./connection.js";
import type { CollabLimits } from "./limits.js";
import { type PersistenceLog, PersistQueue } from "./persistence.js";
import { RelaySchedule } from "./relay-schedule.js";
import type { DocumentStore } from "./storage.js";
import {
  encodeSyncStep1,
  encodeSyncStep2,
  encodeUpdateMessage,
  hasClockGap,
  InvalidMessageError,
  readSyncMessage,
} from "./sync-messages.js";

/** How a document reaches every connection in its room at once (one encoding, every node). */
export interface DocumentBroadcaster {
  sync(documentId: string, message: Uint8Array, exceptConnectionId?: string): void;
  /**
   * `droppable`: a cursor move may be skipped for a connection that is
   * behind (its next move supersedes it); a departure never is.
   */
  awareness(documentId: string, update: Uint8Array, exceptConnectionId: string | undefined, droppable: boolean): void;
}

/** Merges stored updates into one, garbage-collected: what compaction writes as the snapshot. */
export function mergeIntoSnapshot(updates: Uint8Array[]): Uint8Array {
  const doc = new Y.Doc();
  Y.transact(doc, () => {
    for (const update of updates) Y.applyUpdate(doc, update);
  });
  const snapshot = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return snapshot;
}

/**
 * One project's Yjs document on this node: the shared Y.Doc, its awareness,
 * the connections in its room, and the log its changes are stored in. Every
 * change a client sends is checked before it touches the Y.Doc, and what is
 * relayed and stored is what the Y.Doc actually gained, not the raw bytes.
 */
export class CollabDocument {
  readonly doc = new Y.Doc({ gc: true });
  readonly awareness = new Awareness(this.doc);
  readonly connections = new Map<string, CollabConnection>();
  private readonly awarenessOwners = new Map<number, string>();
  private readonly persistence: PersistQueue;
  /** The update the current transaction produced, captured synchronously from the 'update' event. */
  private captured: Uint8Array | undefined;
  private readonly relays: RelaySchedule;
  /** What the last compaction of this document stored as its snapshot (if it was written: the store may refuse). */
  private lastSnapshot: Uint8Array | undefined;

  constructor(
    readonly id: string,
    store: DocumentStore,
    private readonly broadcaster: DocumentBroadcaster,
    private readonly limits: CollabLimits,
    log: PersistenceLog,
  ) {
    this.persistence = new PersistQueue(store, id, limits.compactAfterUpdates, this.snapshotOf, log);
    this.relays = new RelaySchedule(limits.relayIntervalMs, (update, except) =>
      broadcaster.sync(id, encodeUpdateMessage(update), except),
    );
    // The server is not a participant: it must not appear in anyone's awareness.
    this.awareness.setLocalState(null);
    this.doc.on("update", (update: Uint8Array) => {
      this.captured = update;
    });
    this.awareness.on("update", this.relayAwareness);
  }

  /** Applies what the store holds; before any connection joins, so nothing is relayed or stored again. */
  loadStored(updates: Uint8Array[]): void {
    Y.transact(this.doc, () => {
      for (const update of updates) Y.applyUpdate(this.doc, update);
    });
    this.captured = undefined;
    this.persistence.loaded(updates.reduce((total, update) => total + update.byteLength, 0));
  }

  addConnection(connection: CollabConnection): void {
    this.connections.set(connection.id, connection);
  }

  /** Removes the connection and the awareness states it owned, telling the room: no ghost cursors. */
  removeConnection(connectionId: string): void {
    const connection = this.connections.get(connectionId);
    if (!connection) return;
    this.connections.delete(connectionId);
    const owned = [...connection.awarenessClients];
    for (const clientId of owned) this.awarenessOwners.delete(clientId);
    if (owned.length > 0) removeAwarenessStates(this.awareness, owned, connection);
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
    this.captured = undefined;
    const written = this.lastSnapshot;
    Y.transact(this.doc, () => {
      for (const update of stored) {
        // The snapshot this document wrote last holds nothing it lacks; decoding it would be most of the cost.
        if (written && update.byteLength === written.byteLength && Buffer.compare(update, written) === 0) continue;
        Y.applyUpdate(this.doc, update);
      }
    });
    const found = this.captured;
    this.captured = undefined;
    if (this.dropPending()) {
      // Folding these in would lose them: keep the log as it is.
      throw new Error("stored updates depend on changes no one has; not compacting");
    }
    if (found) this.relays.add(found);
    this.lastSnapshot = Y.encodeStateAsUpdate(this.doc);
    return this.lastSnapshot;
  };

  /** After a successful open: the server's sync step 1, then who is here. */
  welcome(connection: CollabConnection): void {
    connection.transport.sendSync(encodeSyncStep1(this.doc));
    const clients = [...this.awareness.getStates().keys()];
    if (clients.length > 0) connection.transport.sendAwareness(encodeAwarenessUpdate(this.awareness, clients));
  }

  /**
   * Handles one sync message from `connection`. Resolves when whatever it
   * changed is durably stored; rejects with an AppError the sender is told.
   */
  receiveSync(connection: CollabConnection, message: Uint8Array): Promise<void> {
    this.admit(connection, message);
    let parsed: ReturnType<typeof readSyncMessage>;
    try {
      parsed = readSyncMessage(message);
    } catch (error) {
      if (error instanceof InvalidMessageError) throw new AppError("INVALID_UPDATE", error.message);
      throw error;
    }
    if (parsed.type === "step1") {
      connection.transport.sendSync(encodeSyncStep2(this.doc, parsed.stateVector));
      return Promise.resolve();
    }
    if (!connection.transport.canWrite()) {
      // A viewer's step 2 that holds nothing new is just the sync handshake, not an edit.
      if (Y.snapshotContainsUpdate(Y.snapshot(this.doc), parsed.update)) return Promise.resolve();
      throw new AppError("READ_ONLY", "your role may not change this document");
    }
    if (hasClockGap(this.doc, parsed.clocks)) {
      // Applying it would leave it pending, held forever if the gap never fills: ask for a full resync instead.
      throw this.requestResync(connection);
    }
    const effective = this.apply(parsed.update, connection);
    // Dependencies on another client's changes the server lacks (cheaper to find after applying than before):
    // Yjs keeps such structs pending. Drop them and ask for a resync; only what was integrated is kept and stored.
    const pending = this.dropPending();
    const stored = effective ? this.storeAndRelay(effective, connection) : Promise.resolve();
    if (!pending) return stored;
    const refusal = this.requestResync(connection);
    return stored.then(() => Promise.reject(refusal));
  }

  private storeAndRelay(update: Uint8Array, from: CollabConnection): Promise<void> {
    this.relays.add(update, from.id);
    return this.persistence.enqueue(update);
  }

  private requestResync(connection: CollabConnection): AppError {
    connection.transport.sendSync(encodeSyncStep1(this.doc));
    return new AppError("INVALID_UPDATE", "the update depends on changes the server does not have; resync requested");
  }

  /** Handles one awareness update: only the sender's own client ids, with its identity stamped on each state. */
  receiveAwareness(connection: CollabConnection, update: Uint8Array): void {
    this.admit(connection, update);
    let entries: AwarenessEntry[];
    try {
      entries = readAwarenessUpdate(update);
    } catch (error) {
      if (error instanceof InvalidAwarenessError) throw new AppError("INVALID_UPDATE", error.message);
      throw error;
    }
    const accepted: AwarenessEntry[] = [];
    let refusal: AppError | undefined;
    for (const entry of entries) {
      const owner = this.awarenessOwners.get(entry.clientId);
      if (owner !== undefined && owner !== connection.id) continue;
      if (entry.state === null) {
        if (owner === undefined) continue;
        this.awarenessOwners.delete(entry.clientId);
        connection.awarenessClients.delete(entry.clientId);
        accepted.push(entry);
        continue;
      }
      const state = { ...entry.state, user: { id: connection.transport.userId, name: connection.transport.userName } };
      if (Buffer.byteLength(JSON.stringify(state)) > this.limits.maxAwarenessStateBytes) {
        refusal = new AppError("TOO_LARGE", "awareness state is too large");
        continue;
      }
      if (owner === undefined) {
        if (connection.awarenessClients.size >= this.limits.awarenessClientsPerConnection) {
          refusal = new AppError("TOO_LARGE", "too many awareness client ids on one connection");
          continue;
        }
        this.awarenessOwners.set(entry.clientId, connection.id);
        connection.awarenessClients.add(entry.clientId);
      }
      accepted.push({ ...entry, state });
    }
    if (accepted.length > 0) applyAwarenessUpdate(this.awareness, writeAwarenessUpdate(accepted), connection);
    if (refusal) throw refusal;
  }

  /** Everything stored so far; then folds the log into a snapshot. */
  async storeAndCompact(): Promise<void> {
    await this.persistence.compact();
  }

  flush(): Promise<void> {
    return this.persistence.flush();
  }

  /** For a deleted project: stop writing. */
  abandon(): void {
    this.persistence.stop();
  }

  destroy(): void {
    this.relays.stop();
    this.awareness.off("update", this.relayAwareness);
    this.awareness.destroy();
    this.doc.destroy();
  }

  /**
   * Yjs holds structs whose dependencies it lacks as pending, forever if
   * they never come; this server never keeps them. Whether there were any.
   */
  private dropPending(): boolean {
    const store = this.doc.store;
    if (store.pendingStructs === null && store.pendingDs === null) return false;
    store.pendingStructs = null;
    store.pendingDs = null;
    return true;
  }

  private admit(connection: CollabConnection, message: Uint8Array): void {
    if (message.byteLength > this.limits.maxMessageBytes) throw new AppError("TOO_LARGE", "message is too large");
    if (!connection.rateLimiter.tryTake()) throw new AppError("RATE_LIMITED", "too many messages; slow down");
  }

  private apply(update: Uint8Array, origin: CollabConnection): Uint8Array | undefined {
    this.captured = undefined;
    try {
      Y.applyUpdate(this.doc, update, origin);
    } catch (error) {
      // Yjs commits what it integrated before throwing; that part is captured, relayed and stored like any change.
      if (!this.captured)
        throw new AppError("INVALID_UPDATE", `update could not be applied: ${(error as Error).message}`);
    }
    const effective = this.captured;
    this.captured = undefined;
    return effective;
  }

  private readonly relayAwareness = (
    { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ) => {
    const changed = [...added, ...updated, ...removed];
    if (changed.length === 0) return;
    const except = (origin as CollabConnection | undefined)?.id;
    const stillConnected = typeof except === "string" && this.connections.has(except);
    const update = encodeAwarenessUpdate(this.awareness, changed);
    this.broadcaster.awareness(this.id, update, stillConnected ? except : undefined, removed.length === 0);
  };
}
