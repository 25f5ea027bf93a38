import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate, removeAwarenessStates } from "y-protocols/awareness";
import type * as Y from "yjs";
import { AppError } from "../errors.js";
import {
  type AwarenessEntry,
  InvalidAwarenessError,
  readAwarenessUpdate,
  writeAwarenessUpdate,
} from "./awareness-messages.js";
import type { ClientIds } from "./client-ids.js";
import { CollabConnection } from "./connection.js";
import type { CollabLimits } from "./limits.js";
import type { ClientBinding } from "./storage.js";

export type AwarenessRelay = (update: Uint8Array, exceptConnectionId: string | undefined, droppable: boolean) => void;

/** The origin of awareness changes that came from other nodes. */
const PEERS = Symbol("peers");

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

  constructor(
    doc: Y.Doc,
    private readonly clientIds: ClientIds,
    private readonly limits: Pick<CollabLimits, "awarenessClientsPerConnection" | "maxAwarenessStateBytes">,
    private readonly relay: AwarenessRelay,
    private readonly isConnected: (connectionId: string) => boolean,
    /** To the other nodes holding the document, with the owner of each client id in the update. */
    private readonly toPeers?: (update: Uint8Array, owners: ClientBinding[]) => void,
  ) {
    this.awareness = new Awareness(doc);
    // The server is not a participant: it must not appear in anyone's awareness.
    this.awareness.setLocalState(null);
    this.awareness.on("update", this.relayChanges);
  }

  /** The states of everyone here, for a newcomer; undefined when nobody is. */
  encodeAll(): Uint8Array | undefined {
    const clients = [...this.awareness.getStates().keys()];
    return clients.length > 0 ? encodeAwarenessUpdate(this.awareness, clients) : undefined;
  }

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
    const stillConnected = local !== undefined && this.isConnected(local.id);
    const update = encodeAwarenessUpdate(this.awareness, changed);
    this.relay(update, stillConnected ? local.id : undefined, removed.length === 0);
    // Only what this node's connections changed: other nodes hear their own, and time-outs happen everywhere.
    if (local && this.toPeers) {
      const owners: ClientBinding[] = [];
      for (const clientId of changed) {
        const userId = this.clientIds.ownerOf(clientId);
        if (userId !== undefined) owners.push({ clientId, userId });
      }
      this.toPeers(update, owners);
    }
  };
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
