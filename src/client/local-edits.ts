import * as Y from "yjs";

/** One local transaction, as the undo manager captured it: revertible until the server stores it. */
export type LocalEdit = Y.UndoManager["undoStack"][number];

/** A tracked-origins set that holds every origin: what counts is `captureTransaction`. */
class EveryOrigin extends Set<unknown> {
  override has(): boolean {
    return true;
  }
}

/** An empty transaction fires no `update`: captured, it would stay on the stack for good. */
function changedAnything(transaction: Y.Transaction): boolean {
  if (transaction.deleteSet.clients.size > 0) return true;
  for (const [client, clock] of transaction.afterState) {
    if (transaction.beforeState.get(client) !== clock) return true;
  }
  return false;
}

/**
 * The local transactions the server has not stored yet, each kept so that it
 * can be reverted when the server refuses it for good (READ_ONLY): a refused
 * change must not stay in the document, where the next sync step 2 would
 * carry it to the server after a promotion. Built on Yjs's UndoManager over
 * the whole document; an edit leaves it once stored, so it holds only what
 * is in flight or unsent.
 */
export class LocalEdits {
  private readonly undo: Y.UndoManager;
  /** The last captured edit, with its transaction's `changedParentTypes`: a map of that transaction's own. */
  private lastCaptured: { edit: LocalEdit; changes: unknown } | undefined;

  constructor(doc: Y.Doc) {
    this.undo = new Y.UndoManager(doc, {
      captureTimeout: 0,
      // Local transactions only: whatever the provider (or another provider) applied came from a server.
      captureTransaction: (transaction) =>
        transaction.local && transaction.origin !== this.undo && changedAnything(transaction),
      trackedOrigins: new EveryOrigin(),
    });
    // Captured in afterTransaction, which Yjs fires before the same transaction's `update` event.
    this.undo.on("stack-item-added", ({ stackItem, changedParentTypes }) => {
      this.lastCaptured = { edit: stackItem, changes: changedParentTypes };
    });
  }

  /** The edit the doc's `update` event for `transaction` stands for, when it was a local one. */
  editOf(transaction: Y.Transaction): LocalEdit | undefined {
    return this.lastCaptured?.changes === transaction.changedParentTypes ? this.lastCaptured.edit : undefined;
  }

  /** Whether `origin` is a revert's own transaction (not an edit to send). */
  isRevert(origin: unknown): boolean {
    return origin === this.undo;
  }

  /** Stored on the server: nothing can refuse them any more. */
  stored(edits: readonly LocalEdit[]): void {
    if (edits.length === 0) return;
    const done = new Set(edits);
    this.undo.undoStack = this.undo.undoStack.filter((edit) => !done.has(edit));
  }

  /** Undoes `edits` (newest first) in the local document; returns how many were still there to undo. */
  revert(edits: readonly LocalEdit[]): number {
    const wanted = new Set(edits);
    const undoable = this.undo.undoStack.filter((edit) => wanted.has(edit));
    if (undoable.length === 0) return 0;
    const kept = this.undo.undoStack.filter((edit) => !wanted.has(edit));
    // UndoManager undoes from the top of its stack: put exactly these there, in their order, and undo them all.
    const count = undoable.length;
    this.undo.undoStack = undoable; // undo() pops from it
    while (this.undo.undoStack.length > 0) this.undo.undo();
    this.undo.undoStack = kept;
    this.undo.redoStack = [];
    return count;
  }

  destroy(): void {
    this.undo.destroy();
  }
}
