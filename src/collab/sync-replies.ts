import type * as Y from "yjs";
import { AppError } from "../errors.js";
import type { CapturedDoc } from "./captured-doc.js";
import type { CollabConnection } from "./connection.js";
import { encodeSyncStep1, encodeSyncStep2Message } from "./sync-messages.js";

/**
 * What the server sends one connection of its own accord, paced per
 * connection: the answer to its sync step 1 (or to the state vector of its
 * open), and the server's request for a resync. `stillThere` says whether a
 * reply due later has a reader.
 */

/** Where an answer comes from: what a state vector lacks. */
type Answers = Pick<CapturedDoc, "missingFrom">;

/** A connection is asked for a resync at most this often. */
const RESYNC_INTERVAL_MS = 250;

/**
 * A full-state answer can be as large as the document: at most one is in
 * flight per connection, and a step 1 that arrives meanwhile is answered
 * (once, with the latest state vector) after it drains. Each answer is
 * charged to the connection's byte budget.
 */
export function answerStep1(
  doc: Answers,
  connection: CollabConnection,
  stateVector: Uint8Array,
  stillThere: () => boolean,
): void {
  if (connection.answering) {
    connection.queuedStateVector = stateVector;
    return;
  }
  connection.transport.sendSync(encodeSyncStep2Message(startAnswer(doc, connection, stateVector)));
  afterAnswerDrains(doc, connection, stillThere);
}

/**
 * The same answer to a state vector that came with the open, for the open's
 * ack to carry; `sent` once the ack is out, so that it is the connection's
 * answer in flight until it drains.
 */
export function answerInAck(
  doc: Answers,
  connection: CollabConnection,
  stateVector: Uint8Array,
  stillThere: () => boolean,
): { update: Uint8Array; sent(): void } {
  return {
    update: startAnswer(doc, connection, stateVector),
    sent: () => afterAnswerDrains(doc, connection, stillThere),
  };
}

function startAnswer(doc: Answers, connection: CollabConnection, stateVector: Uint8Array): Uint8Array {
  const update = doc.missingFrom(stateVector);
  connection.charge(update.byteLength);
  connection.answering = true;
  return update;
}

function afterAnswerDrains(doc: Answers, connection: CollabConnection, stillThere: () => boolean): void {
  connection.transport.whenDrained(() => {
    connection.answering = false;
    const next = connection.queuedStateVector;
    connection.queuedStateVector = undefined;
    if (next && stillThere()) answerStep1(doc, connection, next, stillThere);
  });
}

/**
 * Asks the client for everything the server lacks (sync step 1), at most
 * once per RESYNC_INTERVAL_MS: while the missing changes are still on
 * their way (from another node, or from a client not reconnected yet),
 * every answer would be refused again, and the two would ping-pong.
 * Returns the refusal the change that needed it gets.
 */
export function requestResync(doc: Y.Doc, connection: CollabConnection, stillThere: () => boolean): AppError {
  const wait = connection.resyncRequestedAt + RESYNC_INTERVAL_MS - performance.now();
  const ask = () => {
    connection.resyncDue = undefined;
    if (!stillThere()) return;
    connection.resyncRequestedAt = performance.now();
    connection.transport.sendSync(encodeSyncStep1(doc));
  };
  if (wait <= 0) ask();
  else connection.resyncDue ??= setTimeout(ask, wait);
  return new AppError("RESYNC", "the update builds on changes the server does not have yet; resync requested");
}
