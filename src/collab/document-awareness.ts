import { Awareness, applyAwarenessUpdate, removeAwarenessStates } from "y-protocols/awareness";
import type * as Y from "yjs";
import { AppError } from "../errors.js";
import {
  type AwarenessEntry,
  InvalidAwarenessError,
  joinAwarenessEntries,
  readAwarenessUpdate,
  writeAwarenessEntry,
  writeAwarenessUpdate,
} from "./awareness-messages.js";
import type { ClientIds } from "./client-ids.js";
import { CollabConnection } from "./connection.js";
import type { CollabLimits } from "./limits.js";
import { intervalForAudience, Paced } from "./paced.js";
import type { ClientBinding } from "./storage.js";

/** Who a relay of awareness changes may skip. */
export interface AwarenessDelivery {
  /** The connection that made a lone change: it knows it already. */
  except: string | undefined;
  /**
   * Whether a connection that is behind may miss it: a cursor move may be
   * skipped (the next one supersedes it), a departure never is.
   */
  droppable: boolean;
  /** Newcomers told everyone but these states: they get them even when behind. */
  owed: ReadonlySet<string>;
}

export type AwarenessRelay = (update: Uint8Array, delivery: AwarenessDelivery) => void;

/** The origin of awareness changes that came from other nodes. */
const PEERS = Symbol("peers");

/**
 * Each socket in the room adds this much to the pause between two relays of
 * awareness changes: a crowd arriving at once (each announcing a cursor) is
 * told in a few merged relays, not one per arrival to everyone (quadratic).
 * A thousand sockets hear at most four relays a second; a room of twenty,
 * one every 5 ms.
 */
const RELAY_PAUSE_PER_SOCKET_MS = 0.25;

/**
 * A room this large keeps each present client's entry encoded between its
 * changes: every newcomer is told every state, and a crowd of a thousand
 * made JSON.stringify of each state a thousand times (a sixth of the
 * server's CPU). A smaller room encodes them again for each newcomer, which
 * costs less than keeping them for every idle connection.
 */
const KEEP_ENCODED_FROM_SOCKETS = 100;

/**
 * A document's awareness (cursors, selections, names). Each client id
 * belongs to the user who announced it first (`ClientIds`), so nobody can
 * take over another user's cursor, even while that user reconnects; its
 * state is held by the connection that announced it last, and removed for
 * everyone when that connection leaves: no ghost cursors.
 */
export class DocumentAwareness {
  readonly awareness: Awareness;
  /** Which connection holds each client id's state. */
  private readonly holders = new Map<number, CollabConnection>();
  /** Client ids changed since the last relay, and who changed them (skipped when it was one connection alone). */
  private readonly pending = new Set<number>();
  private pendingFrom: CollabConnection | undefined;
  private pendingChanges = 0;
  private pendingRemovals = false;
  /**
   * Newcomers told everyone but the states waiting for the next relay, which
   * reaches them too: that relay must not skip them as behind.
   */
  private owed = new Set<string>();
  /** Present clients' entries (id, clock, state as JSON) as last encoded, in a large room. */
  private readonly encodedEntries = new Map<number, Uint8Array>();
  /**
   * In a large room, what a newcomer is told, until it changes: between two
   * relays a crowd's newcomers are all told the same states (theirs wait
   * for the relay), and the same bytes serve every one of them.
   */
  private welcome: Uint8Array | undefined;
  private readonly relays: Paced;

  constructor(
    doc: Y.Doc,
    private readonly clientIds: ClientIds,
    private readonly limits: Pick<
      CollabLimits,
      "awarenessClientsPerConnection" | "maxAwarenessStateBytes" | "relayIntervalMs"
    >,
    private readonly relay: AwarenessRelay,
    private readonly isConnected: (connectionId: string) => boolean,
    /** This node's connections to the document: who a relay is written to. */
    private readonly audience: () => number,
    /** To the other nodes holding the document, with the owner of each client id in the update. */
    private readonly toPeers?: (update: Uint8Array, owners: ClientBinding[]) => void,
  ) {
    this.relays = new Paced(
      () => intervalForAudience(audience(), limits.relayIntervalMs, RELAY_PAUSE_PER_SOCKET_MS),
      this.flush,
    );
    this.awareness = new Awareness(doc);
    // The server is not a participant: it must not appear in anyone's awareness.
    this.awareness.setLocalState(null);
    this.awareness.on("update", this.relayChanges);
  }

  /**
   * The states of everyone here, for a newcomer already in the room;
   * undefined when nobody is. Those changed since the last relay are left to
   * the next one, which reaches the newcomer too: sent now, they would come
   * twice, and a client parses every state it is sent.
   */
  encodeAll(newcomer: CollabConnection): Uint8Array | undefined {
    const states = this.awareness.getStates();
    for (const clientId of this.pending) {
      if (!states.has(clientId)) continue;
      this.owed.add(newcomer.id);
      break;
    }
    const large = this.audience() >= KEEP_ENCODED_FROM_SOCKETS;
    if (large && this.welcome) return this.welcome;
    const clients = [...states.keys()].filter(this.isSettled);
    if (clients.length === 0) return undefined;
    const welcome = this.encode(clients);
    this.welcome = large ? welcome : undefined;
    return welcome;
  }

  private encode(clients: number[]): Uint8Array {
    if (this.audience() < KEEP_ENCODED_FROM_SOCKETS) return writeAwarenessUpdate(clients.map(this.entryOf));
    return joinAwarenessEntries(clients.map(this.keptEntryOf));
  }

  /** As y-protocols' encodeAwarenessUpdate writes it: a client no longer here is its last clock and null. */
  private readonly entryOf = (clientId: number): AwarenessEntry => ({
    clientId,
    clock: this.awareness.meta.get(clientId)?.clock ?? 0,
    state: this.awareness.getStates().get(clientId) ?? null,
  });

  private readonly keptEntryOf = (clientId: number): Uint8Array => {
    const kept = this.encodedEntries.get(clientId);
    if (kept) return kept;
    const entry = this.entryOf(clientId);
    const bytes = writeAwarenessEntry(entry);
    // Only present clients: what is kept never outgrows the room.
    if (entry.state !== null) this.encodedEntries.set(clientId, bytes);
    return bytes;
  };

  /** Only ids the sender's user owns (or may claim), with the server's identity stamped on each state. */
  receive(connection: CollabConnection, update: Uint8Array): void {
    let entries: AwarenessEntry[];
    try {
      entries = readAwarenessUpdate(update);
    } catch (error) {
      if (error instanceof InvalidAwarenessError) throw new AppError("INVALID_UPDATE", error.message);
      throw error;
    }
    const { userId, userName } = connection.transport;
    const accepted: AwarenessEntry[] = [];
    let refusal: AppError | undefined;
    for (const entry of entries) {
      const owner = this.clientIds.ownerOf(entry.clientId);
      if (owner !== undefined && owner !== userId) continue;
      const holder = this.holders.get(entry.clientId);
      if (entry.state === null) {
        if (!holder) continue;
        this.release(entry.clientId, holder);
        accepted.push(entry);
        continue;
      }
      // Other fields (cursor, color) are the client's; `user` names who is speaking, so the server writes it.
      const user = { ...asObject(entry.state.user), id: userId, name: userName };
      const state = { ...entry.state, user };
      if (Buffer.byteLength(JSON.stringify(state)) > this.limits.maxAwarenessStateBytes) {
        refusal = new AppError("TOO_LARGE", "awareness state is too large");
        continue;
      }
      if (holder !== connection) {
        if (connection.awarenessClients.size >= this.limits.awarenessClientsPerConnection) {
          refusal = new AppError("TOO_LARGE", "too many awareness client ids on one connection");
          continue;
        }
        if (!this.clientIds.claim(entry.clientId, userId)) continue;
        // Another connection of the same user (a reconnect that overtook the old socket's close) hands it over.
        if (holder) holder.awarenessClients.delete(entry.clientId);
        this.holders.set(entry.clientId, connection);
        connection.awarenessClients.add(entry.clientId);
      }
      accepted.push({ ...entry, state });
    }
    if (accepted.length > 0) applyAwarenessUpdate(this.awareness, writeAwarenessUpdate(accepted), connection);
    if (refusal) throw refusal;
  }

  /** States from another node's connections (checked there); their owners are known to the caller already. */
  receivePeer(update: Uint8Array): void {
    applyAwarenessUpdate(this.awareness, update, PEERS);
  }

  /** The connection left: its states go, for everyone. */
  removeConnection(connection: CollabConnection): void {
    const held = [...connection.awarenessClients];
    for (const clientId of held) this.release(clientId, connection);
    if (held.length > 0) removeAwarenessStates(this.awareness, held, connection);
  }

  destroy(): void {
    this.relays.stop();
    this.awareness.off("update", this.relayChanges);
    this.awareness.destroy();
  }

  private release(clientId: number, holder: CollabConnection): void {
    this.holders.delete(clientId);
    holder.awarenessClients.delete(clientId);
  }

  private readonly relayChanges = (
    { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ) => {
    const changed = [...added, ...updated, ...removed];
    if (changed.length === 0) return;
    const local = origin instanceof CollabConnection ? origin : undefined;
    // A newcomer is told the states not waiting for a relay: one of those changed (an arrival was not one).
    if (updated.some(this.isSettled) || removed.some(this.isSettled)) this.welcome = undefined;
    for (const clientId of changed) {
      this.encodedEntries.delete(clientId);
      this.pending.add(clientId);
    }
    this.pendingFrom = this.pendingChanges === 0 ? local : undefined;
    this.pendingChanges += 1;
    if (removed.length > 0) this.pendingRemovals = true;
    this.relays.request();
    // Only what this node's connections changed, at once: other nodes hear their own, time-outs happen everywhere.
    if (local && this.toPeers) {
      const owners: ClientBinding[] = [];
      for (const clientId of changed) {
        const userId = this.clientIds.ownerOf(clientId);
        if (userId !== undefined) owners.push({ clientId, userId });
      }
      this.toPeers(this.encode(changed), owners);
    }
  };

  /** Told to newcomers already: not waiting for the next relay. */
  private readonly isSettled = (clientId: number) => !this.pending.has(clientId);

  /**
   * One relay of every state changed since the last: a lone change skips the
   * connection that made it; merged ones go to everyone, and a sender
   * applies its own state again as a no-op (same clock). Removals must
   * arrive (no ghosts); the rest may be dropped for a slow reader, since the
   * next change carries the whole state again.
   */
  private readonly flush = () => {
    if (this.pending.size === 0) return;
    // What was waiting is told to everyone now, and newcomers from now on are told it too.
    this.welcome = undefined;
    const update = this.encode([...this.pending]);
    const from = this.pendingFrom;
    const except = from && this.pendingChanges === 1 && this.isConnected(from.id) ? from.id : undefined;
    const delivery = { except, droppable: !this.pendingRemovals, owed: this.owed };
    this.pending.clear();
    this.pendingFrom = undefined;
    this.pendingChanges = 0;
    this.pendingRemovals = false;
    this.owed = new Set();
    this.relay(update, delivery);
  };
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
