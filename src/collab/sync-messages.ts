import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";

/**
 * y-protocols sync messages, parsed strictly before anything touches a
 * document: `[varUint type][varUint8Array payload]` and nothing after.
 */
export type SyncMessage =
  | { type: "step1"; stateVector: Uint8Array }
  | { type: "step2" | "update"; update: Uint8Array; clocks: ClockRanges };

/** For each client id in an update, the clocks its structs span: `[start, end)`. */
export type ClockRanges = Map<number, { start: number; end: number }>;

export class InvalidMessageError extends Error {}

/** Throws InvalidMessageError for anything that is not one well-formed sync message. */
export function readSyncMessage(message: Uint8Array): SyncMessage {
  try {
    const decoder = decoding.createDecoder(message);
    const type = decoding.readVarUint(decoder);
    const payload = decoding.readVarUint8Array(decoder);
    if (decoding.hasContent(decoder)) throw new InvalidMessageError("trailing bytes after the sync message");
    switch (type) {
      case syncProtocol.messageYjsSyncStep1:
        Y.decodeStateVector(payload);
        return { type: "step1", stateVector: payload };
      case syncProtocol.messageYjsSyncStep2:
        return { type: "step2", update: payload, clocks: validateUpdate(payload) };
      case syncProtocol.messageYjsUpdate:
        return { type: "update", update: payload, clocks: validateUpdate(payload) };
      default:
        throw new InvalidMessageError(`unknown sync message type ${type}`);
    }
  } catch (error) {
    if (error instanceof InvalidMessageError) throw error;
    throw new InvalidMessageError(`malformed sync message: ${(error as Error).message}`);
  }
}

/** A state vector sent on its own (with an open): throws InvalidMessageError unless it decodes. */
export function checkStateVector(stateVector: Uint8Array): void {
  try {
    Y.decodeStateVector(stateVector);
  } catch (error) {
    throw new InvalidMessageError(`malformed state vector: ${(error as Error).message}`);
  }
}

/** Decodes the whole update (structs and delete set), so bytes that do not decode never reach `applyUpdate`. */
function validateUpdate(update: Uint8Array): ClockRanges {
  const { structs } = Y.decodeUpdate(update);
  const ranges: ClockRanges = new Map();
  for (const struct of structs) {
    if (struct instanceof Y.Skip) continue;
    const { client, clock } = struct.id;
    const end = clock + struct.length;
    const known = ranges.get(client);
    if (!known) ranges.set(client, { start: clock, end });
    else {
      known.start = Math.min(known.start, clock);
      known.end = Math.max(known.end, end);
    }
  }
  return ranges;
}

/** True when the update starts past what the document has for some client: applying it would leave it pending. */
export function hasClockGap(doc: Y.Doc, clocks: ClockRanges): boolean {
  for (const [client, { start }] of clocks) {
    if (start > Y.getState(doc.store, client)) return true;
  }
  return false;
}

function encode(write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  write(encoder);
  return encoding.toUint8Array(encoder);
}

export const encodeSyncStep1 = (doc: Y.Doc) => encode((encoder) => syncProtocol.writeSyncStep1(encoder, doc));
/** A sync step 2 carrying `update` (what the receiver lacks, encoded already). */
export const encodeSyncStep2Message = (update: Uint8Array) =>
  encode((encoder) => {
    encoding.writeVarUint(encoder, syncProtocol.messageYjsSyncStep2);
    encoding.writeVarUint8Array(encoder, update);
  });
export const encodeUpdateMessage = (update: Uint8Array) =>
  encode((encoder) => syncProtocol.writeUpdate(encoder, update));
