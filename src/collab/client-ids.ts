import * as Y from "yjs";
import { AppError } from "../errors.js";
import type { ClientBinding } from "./storage.js";
import type { ClockRanges } from "./sync-messages.js";

/**
 * How far one accepted update may move a client's clock past what the
 * document has. A clock counts items (a character is one), so a paste of the
 * largest update the service takes moves it by a few million at most; a
 * struct claiming more is forged (a 10-byte GC struct can claim 2^40, and
 * Yjs would then skip that client's real changes as already seen).
 */
export const MAX_CLOCK_ADVANCE = 2 ** 24;

/** Ids announced in awareness but never used in the document are remembered up to this many per document. */
const MAX_AWARENESS_CLAIMS = 10_000;

/**
 * Who each Yjs client id in a document belongs to. The first user to add
 * structs under an id, or to announce it in awareness, owns it; nobody else
 * may add structs under it or announce it. A document binding is stored
 * with the update that made it, so it outlives unloads and restarts; an
 * awareness claim lives as long as the document stays loaded.
 */
export class ClientIds {
  private readonly bound = new Map<number, string>();
  private readonly claimed = new Map<number, string>();

  /** Bindings read from the store. */
  load(bindings: readonly ClientBinding[]): void {
    for (const { clientId, userId } of bindings) if (!this.bound.has(clientId)) this.bound.set(clientId, userId);
  }

  /** Every document binding, for another node that loads the document. */
  bindings(): ClientBinding[] {
    return [...this.bound].map(([clientId, userId]) => ({ clientId, userId }));
  }

  ownerOf(clientId: number): string | undefined {
    return this.bound.get(clientId) ?? this.claimed.get(clientId);
  }

  /**
   * Checks what an update from `userId` adds to `doc`: refused if it adds
   * structs under someone else's client id (FORBIDDEN) or moves a clock
   * absurdly far (INVALID_UPDATE). Says whether it adds structs at all, and
   * which client ids it would bind.
   * Structs the document already has are not additions: a merge that carries
   * other users' known changes is fine, and so is deleting their content.
   */
  checkAdditions(doc: Y.Doc, ranges: ClockRanges, userId: string): { adds: boolean; unbound: number[] } {
    const unbound: number[] = [];
    let adds = false;
    for (const [clientId, { start, end }] of ranges) {
      const known = Y.getState(doc.store, clientId);
      if (end <= known) continue;
      adds = true;
      const owner = this.ownerOf(clientId);
      if (owner !== undefined && owner !== userId) {
        throw new AppError("FORBIDDEN", "the update adds changes under a Yjs client id that belongs to another user");
      }
      if (end - Math.max(start, known) > MAX_CLOCK_ADVANCE) {
        throw new AppError("INVALID_UPDATE", `the update moves a client's clock by more than ${MAX_CLOCK_ADVANCE}`);
      }
      if (!this.bound.has(clientId)) unbound.push(clientId);
    }
    return { adds, unbound };
  }

  /** Binds ids whose structs were just accepted; returns the bindings to store with that update. */
  bind(clientIds: readonly number[], userId: string): ClientBinding[] {
    const bindings: ClientBinding[] = [];
    for (const clientId of clientIds) {
      if (this.bound.has(clientId)) continue;
      this.bound.set(clientId, userId);
      this.claimed.delete(clientId);
      bindings.push({ clientId, userId });
    }
    return bindings;
  }

  /** An awareness announcement: true when the id is free or already `userId`'s. */
  claim(clientId: number, userId: string): boolean {
    const owner = this.ownerOf(clientId);
    if (owner !== undefined) return owner === userId;
    if (this.claimed.size >= MAX_AWARENESS_CLAIMS) {
      // The oldest claims go first; those ids are most likely gone for good.
      const oldest = this.claimed.keys().next().value as number;
      this.claimed.delete(oldest);
    }
    this.claimed.set(clientId, userId);
    return true;
  }
}
