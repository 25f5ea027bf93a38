/** A Yjs client id and the user it belongs to: only that user may add structs under it. */
export interface ClientBinding {
  clientId: number;
  userId: string;
}

/** One accepted change on its way to the update log, with the client ids it bound first. */
export interface StoredUpdate {
  update: Uint8Array;
  bindings: readonly ClientBinding[];
}

/** What the store holds for one document. */
export interface StoredDocument {
  /** Snapshot first, then the update log, in any order: Yjs updates commute. */
  updates: Uint8Array[];
  /** Every client id ever bound in the document; the first binding of an id wins. */
  bindings: ClientBinding[];
}

/**
 * Where documents live between loads. Implementations must make `append`
 * durable before resolving: an update is acknowledged to its sender only then.
 */
export interface DocumentStore {
  load(documentId: string): Promise<StoredDocument>;
  /** Stores updates durably with their bindings, in one write where the store allows. */
  append(documentId: string, updates: readonly StoredUpdate[]): Promise<void>;
  /**
   * Folds what is stored into one snapshot with `merge`, keeping every
   * binding. Must never drop an update appended while it runs: only what it
   * read may be replaced.
   */
  compact(documentId: string, merge: (updates: Uint8Array[]) => Uint8Array): Promise<void>;
  /** Forgets the document (its project was deleted). */
  remove(documentId: string): Promise<void>;
  /** Records in the document's update log: what compaction has not folded into its snapshot yet. */
  logLength(documentId: string): Promise<number>;
}
