import { createHash } from "node:crypto";
import * as Y from "yjs";

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

/** A document's whole state, and a tag that is equal for equal states. */
export interface TaggedState {
  state: Uint8Array;
  tag: string;
}

export function tagOf(state: Uint8Array): string {
  return createHash("sha256").update(state).digest("base64url").slice(0, 27);
}
