import type { Awareness } from "y-protocols/awareness";
import * as Y from "yjs";
import { ProjectProvider, type ProjectProviderOptions } from "../../src/client/provider.js";

const providers = new Set<ProjectProvider>();

/** A provider over a fresh Y.Doc (or the given one), connected over WebSocket only. */
export function provider(
  url: string,
  token: ProjectProviderOptions["token"],
  projectId: string,
  options: Partial<ProjectProviderOptions> = {},
) {
  const created = new ProjectProvider({
    url,
    token,
    projectId,
    doc: options.doc ?? new Y.Doc(),
    ...options,
    socketOptions: {
      transports: ["websocket"],
      forceNew: true,
      reconnectionDelay: 50,
      reconnectionDelayMax: 200,
      ...options.socketOptions,
    },
  });
  providers.add(created);
  return created;
}

export function destroyProviders(): void {
  for (const each of providers) each.destroy();
  providers.clear();
}

/**
 * Resolves once `check` holds, re-checking on every change of any of `docs`;
 * for "eventually equal" assertions (a check that compares several documents
 * must watch them all: the last change may land in any of them).
 */
export function until(docs: Y.Doc | Y.Doc[], check: () => boolean, timeoutMs = 5000): Promise<void> {
  if (check()) return Promise.resolve();
  const watched = Array.isArray(docs) ? docs : [docs];
  return new Promise((resolve, reject) => {
    const stop = () => {
      clearTimeout(timer);
      for (const doc of watched) doc.off("update", listener);
    };
    const timer = setTimeout(() => {
      stop();
      reject(new Error("timed out waiting for the document"));
    }, timeoutMs);
    const listener = () => {
      if (!check()) return;
      stop();
      resolve();
    };
    for (const doc of watched) doc.on("update", listener);
  });
}

/** Resolves when the provider has no change waiting for the server's durable ack. */
export async function whenStored(target: ProjectProvider, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (target.unsyncedChanges > 0) {
    if (Date.now() > deadline) throw new Error("changes were not acknowledged in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The document as GET /api/projects/:id/document returns it (from memory if loaded, else from the store). */
export async function fetchDocument(url: string, token: string, projectId: string): Promise<Y.Doc> {
  const response = await fetch(`${url}/api/projects/${projectId}/document`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (response.status !== 200) throw new Error(`GET document: ${response.status}`);
  const doc = new Y.Doc();
  Y.applyUpdate(doc, new Uint8Array(await response.arrayBuffer()));
  return doc;
}

/** Resolves once the service has unloaded the document (its last socket left, DOC_UNLOAD_DELAY_MS passed, stored). */
export async function untilUnloaded(
  documents: { isLoaded(documentId: string): boolean },
  projectId: string,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (documents.isLoaded(projectId)) {
    if (Date.now() > deadline) throw new Error("document was not unloaded");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Resolves once `check` holds for the awareness states, re-checking on each change. */
export function awarenessUntil(
  awareness: Awareness,
  check: (states: Map<number, Record<string, unknown>>) => boolean,
  timeoutMs = 5000,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timed out waiting for awareness")), timeoutMs);
    const test = () => {
      if (!check(awareness.getStates() as Map<number, Record<string, unknown>>)) return;
      clearTimeout(timer);
      awareness.off("change", test);
      resolve();
    };
    awareness.on("change", test);
    test();
  });
}

/**
 * The document's state as a fresh replica of it encodes it, for byte-for-byte comparisons between replicas: a
 * client keeps the content of deleted text while an undo manager may restore it (the provider's own does, for its
 * unstored edits; so does an editor binding's), which a replica built from the updates has collected.
 */
export function canonicalState(doc: Y.Doc): Uint8Array {
  const replica = new Y.Doc();
  Y.applyUpdate(replica, Y.encodeStateAsUpdate(doc));
  return Y.encodeStateAsUpdate(replica);
}
