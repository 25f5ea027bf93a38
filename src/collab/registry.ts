import { CollabConnection, type ConnectionTransport } from "./connection.js";
import { CollabDocument, type DocumentBroadcaster } from "./document.js";
import { type CollabLimits, UserBudgets } from "./limits.js";
import type { PeerLink } from "./peer-messages.js";
import type { PersistenceLog } from "./persistence.js";
import { mergeIntoSnapshot, type TaggedState, tagOf } from "./snapshots.js";
import type { DocumentStore } from "./storage.js";

interface Entry {
  document: CollabDocument;
  unloadTimer?: NodeJS.Timeout;
  /** Set while the document is being stored and unloaded; a join waits for it, then loads afresh. */
  unloading?: Promise<void>;
}

/**
 * The documents loaded on this node. A document is loaded once however many
 * connections ask at the same time (one in-flight load per id), shared by
 * every connection in its room, and unloaded, after it is stored, a while
 * after the last one leaves. Every step after an `await` re-checks that the
 * world is still as it was before the `await`.
 */
export class DocumentRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<Entry>>();
  private readonly userBudgets: UserBudgets;
  private closed = false;

  constructor(
    private readonly store: DocumentStore,
    private readonly broadcaster: DocumentBroadcaster,
    private readonly limits: CollabLimits,
    private readonly log: PersistenceLog & { error(details: object, message: string): void },
    /** The other nodes of a cluster; undefined on a single node. */
    private readonly peers?: PeerLink,
  ) {
    this.userBudgets = new UserBudgets(limits);
    // Messages between nodes may have been lost while the link was down: every loaded document resynchronizes.
    peers?.onReconnect(() => {
      for (const entry of this.entries.values()) entry.document.requestPeerSync(true);
    });
  }

  loadedIds(): string[] {
    return [...this.entries.keys()];
  }

  /** The loaded documents' encoded sizes together, at most. */
  loadedBytes(): number {
    let bytes = 0;
    for (const entry of this.entries.values()) bytes += entry.document.approximateBytes;
    return bytes;
  }

  isLoaded(documentId: string): boolean {
    return this.entries.has(documentId);
  }

  /** How many connections share the loaded document (0 when it is not loaded). */
  connectionCount(documentId: string): number {
    return this.entries.get(documentId)?.document.connections.size ?? 0;
  }

  /** Adds a connection to the document, loading it first if needed. */
  async join(
    documentId: string,
    transport: ConnectionTransport,
  ): Promise<{ document: CollabDocument; connection: CollabConnection }> {
    for (;;) {
      if (this.closed) throw new Error("document registry is closed");
      const existing = this.entries.get(documentId);
      if (existing?.unloading) {
        await existing.unloading;
        continue;
      }
      const entry = existing ?? (await this.load(documentId));
      // The load may have been overtaken by an unload or a removal: look again.
      if (this.entries.get(documentId) !== entry || entry.unloading) continue;
      clearTimeout(entry.unloadTimer);
      entry.unloadTimer = undefined;
      const connection = new CollabConnection(transport, this.limits, this.userBudgets.acquire(transport.userId));
      entry.document.addConnection(connection);
      return { document: entry.document, connection };
    }
  }

  leave(documentId: string, connectionId: string): void {
    const entry = this.entries.get(documentId);
    const connection = entry?.document.connections.get(connectionId);
    if (!entry || !connection) return;
    entry.document.removeConnection(connectionId);
    this.userBudgets.release(connection.transport.userId);
    if (entry.document.connections.size === 0 && !entry.unloading) {
      clearTimeout(entry.unloadTimer);
      entry.unloadTimer = setTimeout(() => void this.unload(documentId, entry), this.limits.unloadDelayMs);
      entry.unloadTimer.unref();
    }
  }

  /** The whole document state and its tag: from memory when loaded here (cached per version), else from the store. */
  async encodeState(documentId: string): Promise<TaggedState> {
    const entry = this.entries.get(documentId);
    if (entry && !entry.unloading) return entry.document.taggedState();
    const { updates } = await this.store.load(documentId);
    const state = mergeIntoSnapshot(updates);
    return { state, tag: tagOf(state) };
  }

  /** The project is gone: drop the document without storing it, and delete what is stored. */
  async remove(documentId: string): Promise<void> {
    // Let an in-flight load land first, so it cannot resurrect the document afterwards.
    await this.loading.get(documentId)?.catch(() => undefined);
    const entry = this.entries.get(documentId);
    if (entry) {
      clearTimeout(entry.unloadTimer);
      this.entries.delete(documentId);
      this.peers?.leave(documentId);
      for (const connection of [...entry.document.connections.values()]) {
        entry.document.removeConnection(connection.id);
        this.userBudgets.release(connection.transport.userId);
      }
      const stopped = entry.document.abandon();
      entry.document.destroy();
      // No write of it may land after the deletion: not an append, not a compaction, not an unload's.
      await Promise.all([stopped, entry.unloading]);
    }
    await this.store.remove(documentId);
  }

  /** Stores and unloads everything; for shutdown. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.loading.values()]);
    await Promise.all([...this.entries].map(([id, entry]) => entry.unloading ?? this.unload(id, entry, true)));
  }

  private load(documentId: string): Promise<Entry> {
    let loading = this.loading.get(documentId);
    if (!loading) {
      loading = (async () => {
        const peers = this.peers;
        const document = new CollabDocument(
          documentId,
          this.store,
          this.broadcaster,
          this.limits,
          this.log,
          peers && ((message) => peers.send(documentId, message)),
        );
        try {
          document.loadStored(await this.store.load(documentId));
          if (peers) {
            // Subscribed first, then asked: whatever other nodes accepted and have not stored yet reaches it.
            await peers.join(documentId, (message) => document.receivePeer(message));
            document.requestPeerSync(false);
          }
        } catch (error) {
          peers?.leave(documentId);
          document.destroy();
          throw error;
        }
        const entry: Entry = { document };
        this.entries.set(documentId, entry);
        return entry;
      })().finally(() => this.loading.delete(documentId));
      this.loading.set(documentId, loading);
    }
    return loading;
  }

  private async unload(documentId: string, entry: Entry, force = false): Promise<void> {
    if (this.entries.get(documentId) !== entry || entry.unloading) return;
    if (!force && entry.document.connections.size > 0) return;
    clearTimeout(entry.unloadTimer);
    let finished!: () => void;
    entry.unloading = new Promise((resolve) => {
      finished = resolve;
    });
    try {
      await entry.document.storeAndCompact();
    } catch (error) {
      this.log.error({ err: error, documentId }, "storing a document before unloading failed; its update log is kept");
      await entry.document.flush();
    } finally {
      if (this.entries.get(documentId) === entry) this.entries.delete(documentId);
      this.peers?.leave(documentId);
      entry.document.destroy();
      finished();
    }
  }
}
