/**
 * Where documents live between loads. Implementations must make `append`
 * durable before resolving: an update is acknowledged to its sender only then.
 */
export interface DocumentStore {
  /** Every stored update of the document (snapshot first), in any order: Yjs updates commute. */
  load(documentId: string): Promise<Uint8Array[]>;
  /** Stores updates durably, in one write where the store allows. */
  append(documentId: string, updates: Uint8Array[]): Promise<void>;
  /**
   * Folds what is stored into one snapshot with `merge`. Must never drop an
   * update appended while it runs: only what it read may be replaced.
   */
  compact(documentId: string, merge: (updates: Uint8Array[]) => Uint8Array): Promise<void>;
  /** Forgets the document (its project was deleted). */
  remove(documentId: string): Promise<void>;
}
