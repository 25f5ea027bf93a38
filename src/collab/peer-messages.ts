import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import type { ClientBinding } from "./storage.js";

/**
 * What the nodes holding one document tell each other, byte by byte:
 * `[varString node][varUint type]` then, by type,
 * - update    `[varUint8Array update][bindings]`: a change a node accepted from its client (and stores)
 * - sync1     `[varUint8Array stateVector][varUint reply]`: "send me what I lack" (and, if reply, ask me too)
 * - sync2     `[varUint8Array update][bindings]`: the answer, with every binding the node knows
 * - awareness `[varUint8Array awarenessUpdate][bindings]`: states of its clients, with their owners
 * where `bindings` is `[varUint count]([varUint clientId][varString userId])*`.
 */
export type PeerMessage =
  | { type: "update" | "sync2" | "awareness"; payload: Uint8Array; bindings: ClientBinding[] }
  | { type: "sync1"; stateVector: Uint8Array; reply: boolean };

const TYPES = ["update", "sync1", "sync2", "awareness"] as const;

export class InvalidPeerMessageError extends Error {}

function writeBindings(encoder: encoding.Encoder, bindings: readonly ClientBinding[]): void {
  encoding.writeVarUint(encoder, bindings.length);
  for (const { clientId, userId } of bindings) {
    encoding.writeVarUint(encoder, clientId);
    encoding.writeVarString(encoder, userId);
  }
}

function readBindings(decoder: decoding.Decoder): ClientBinding[] {
  const count = decoding.readVarUint(decoder);
  const bindings: ClientBinding[] = [];
  for (let i = 0; i < count; i++) {
    bindings.push({ clientId: decoding.readVarUint(decoder), userId: decoding.readVarString(decoder) });
  }
  return bindings;
}

export function writePeerMessage(node: string, message: PeerMessage): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, node);
  encoding.writeVarUint(encoder, TYPES.indexOf(message.type));
  if (message.type === "sync1") {
    encoding.writeVarUint8Array(encoder, message.stateVector);
    encoding.writeVarUint(encoder, message.reply ? 1 : 0);
  } else {
    encoding.writeVarUint8Array(encoder, message.payload);
    writeBindings(encoder, message.bindings);
  }
  return encoding.toUint8Array(encoder);
}

/** The bytes every message `node` sends starts with: a node tells its own echoes apart without decoding them. */
export function senderPrefix(node: string): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, node);
  return encoding.toUint8Array(encoder);
}

/**
 * The message, past its sender's id (a node drops its own by `senderPrefix`
 * before this); throws InvalidPeerMessageError for anything else.
 */
export function readPeerMessage(bytes: Uint8Array): PeerMessage {
  try {
    const decoder = decoding.createDecoder(bytes);
    decoding.readVarString(decoder);
    const type = TYPES[decoding.readVarUint(decoder)];
    if (!type) throw new InvalidPeerMessageError("unknown peer message type");
    return type === "sync1"
      ? { type, stateVector: decoding.readVarUint8Array(decoder), reply: decoding.readVarUint(decoder) === 1 }
      : { type, payload: decoding.readVarUint8Array(decoder), bindings: readBindings(decoder) };
  } catch (error) {
    if (error instanceof InvalidPeerMessageError) throw error;
    throw new InvalidPeerMessageError(`malformed peer message: ${(error as Error).message}`);
  }
}

/**
 * The other nodes holding the same documents (a cluster's shared channel;
 * none on a single node). Delivery is best effort: a message can be lost
 * (a reconnect), which `onReconnect` reports so documents resynchronize.
 */
export interface PeerLink {
  /** Starts delivering the document's messages from other nodes; resolves once they will arrive. */
  join(documentId: string, receive: (message: PeerMessage) => void): Promise<void>;
  leave(documentId: string): void;
  send(documentId: string, message: PeerMessage): void;
  /** Calls `listener` each time the link came back after it was lost; returns an unsubscribe function. */
  onReconnect(listener: () => void): () => void;
}
