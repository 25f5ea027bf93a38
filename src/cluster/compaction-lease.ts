import { randomUUID } from "node:crypto";
import type { DocumentStore } from "../collab/storage.js";
import { within } from "../within.js";
import type { RedisConnections } from "./redis.js";

/** Longer than any compaction should take; a node that dies holding it blocks others' compactions this long. */
const LEASE_MS = 60_000;

/**
 * A Redis that hangs without dropping the connection would hold the request
 * for ever, and with it the document's compaction and its unload: past this,
 * the node compacts without a lease.
 */
const LEASE_REQUEST_TIMEOUT_MS = 2_000;

/** Deletes the lease only if it is still the one this compaction took (it may have expired and been retaken). */
const RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

/**
 * Every node holding a document counts the whole log (its peers' appends
 * too), so they all find it due at about the same moment. One compacts: it
 * takes a lease in Redis for the document, and the others skip this round,
 * since the one that holds the lease folds in what they stored before it
 * read. The lease only saves work: the store's compare-and-set keeps two
 * compactions from losing anything, so a node that cannot reach Redis
 * compacts anyway.
 */
export function withCompactionLease(store: DocumentStore, redis: RedisConnections, node: string): DocumentStore {
  return {
    load: (documentId) => store.load(documentId),
    append: (documentId, updates) => store.append(documentId, updates),
    remove: (documentId) => store.remove(documentId),
    logLength: (documentId) => store.logLength(documentId),
    async compact(documentId, merge) {
      const key = `collab:compacting:${documentId}`;
      const holder = `${node}:${randomUUID()}`;
      let leased: boolean;
      try {
        const request = redis.commands.set(key, holder, { NX: true, PX: LEASE_MS });
        leased = (await within(request, LEASE_REQUEST_TIMEOUT_MS)) === "OK";
      } catch {
        return store.compact(documentId, merge);
      }
      if (!leased) return;
      try {
        await store.compact(documentId, merge);
      } finally {
        // Not awaited, for the same reason: a lease left behind expires.
        redis.commands.eval(RELEASE, { keys: [key], arguments: [holder] }).catch(() => undefined);
      }
    },
  };
}
