import { AppError } from "../errors.js";
import { CollabConnection, type ConnectionTransport } from "./connection.js";
import { CollabDocument, type DocumentBroadcaster } from "./document.js";
import { type CollabLimits, UserBudgets } from "./limits.js";
import type { PeerLink } from "./peer-messages.js";
import type { PersistenceLog } from "./persistence.js";
import { mergeIntoSnapshot, type TaggedState, tagOf } from "./snapshots.js";
import type { DocumentStore } from "./storage.js";

interface Entry {
  document: CollabDocument;
  /** When a connection last joined or left: the memory budget unloads the least recently used first. */
  lastUsedAt: number;
  unloadTimer?: NodeJS.Timeout;
  /** Set while the document is being stored and unloaded; a join waits for it, then loads afresh. */
  unloading?: Promise<void>;
}

/**
 * The documents loaded on this node. A document is loaded once however many
 * connections ask at the same time (one in-flight load per id), shared by
 * every connection in its room, and unloaded, after it is stored, a while
 * after the last one leaves. Every step after an `await` re-checks that the
 * world is still as it was before the `await`. Past the memory budget,
 * documents nobody has open are unloaded sooner, least recently used first;
 * documents open in a room are never unloaded for it, so a node whose open
 * documents alone pass the budget stays over it until some are closed.
 */
export class DocumentRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<Entry>>();
  private readonly userBudgets: UserBudgets;
  private closed = false;
  /** Documents unloaded early to keep within the memory budget, since start. */
  evictions = 0;

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

  /** The loaded documents' encoded sizes together (or one's), at most. */
  loadedBytes(documentId?: string): number {
    if (documentId !== undefined) return this.entries.get(documentId)?.document.approximateBytes ?? 0;
    let bytes = 0;
    for (const entry of this.entries.values()) bytes += entry.document.approximateBytes;
    return bytes;
  }

  /** Records in the document's stored update log, whether it is loaded here or not. */
  logLength(documentId: string): Promise<number> {
    return this.store.logLength(documentId);
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
      entry.lastUsedAt = performance.now();
      const connection = new CollabConnection(transport, this.limits, this.userBudgets.acquire(transport.userId));
      entry.document.addConnection(connection);
      // Only now that it is open: a document loaded for this join must not count as idle.
      this.keepWithinBudget();
      return { document: entry.document, connection };
    }
  }

  leave(documentId: string, connectionId: string): void {
    const entry = this.entries.get(documentId);
    const connection = entry?.document.connections.get(connectionId);
    if (!entry || !connection) return;
    entry.document.removeConnection(connectionId);
    this.userBudgets.release(connection.transport.userId);
    entry.lastUsedAt = performance.now();
    if (entry.document.connections.size === 0 && !entry.unloading) {
      clearTimeout(entry.unloadTimer);
      entry.unloadTimer = setTimeout(() => void this.unload(documentId, entry), this.limits.unloadDelayMs);
      entry.unloadTimer.unref();
      // Open documents may have grown since the last check: this one can go now if that is what it takes.
      this.keepWithinBudget();
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
          const stored = await this.store.load(documentId);
          const storedBytes = stored.updates.reduce((total, update) => total + update.byteLength, 0);
          // Refused before it is applied: a Y.Doc takes several times its encoded size in memory.
          if (storedBytes > this.limits.memoryBudgetBytes) {
            throw new AppError("TOO_LARGE", "this document is larger than the node's memory budget for documents");
          }
          document.loadStored(stored);
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
        const entry: Entry = { document, lastUsedAt: performance.now() };
        this.entries.set(documentId, entry);
        return entry;
      })().finally(() => this.loading.delete(documentId));
      this.loading.set(documentId, loading);
    }
    return loading;
  }

  /** Unloads documents nobody has open, least recently used first, until the rest fit the memory budget. */
  private keepWithinBudget(): void {
    let bytes = 0;
    for (const entry of this.entries.values()) if (!entry.unloading) bytes += entry.document.approximateBytes;
    if (bytes <= this.limits.memoryBudgetBytes) return;
    const idle = [...this.entries]
      .filter(([, entry]) => !entry.unloading && entry.document.connections.size === 0)
      .sort(([, a], [, b]) => a.lastUsedAt - b.lastUsedAt);
    for (const [documentId, entry] of idle) {
      if (bytes <= this.limits.memoryBudgetBytes) break;
      bytes -= entry.document.approximateBytes;
      this.evictions++;
      void this.unload(documentId, entry);
    }
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
