/**
 * How Yjs bytes travel in Socket.IO events: as binary, or as the same bytes
 * in standard base64 text. Both directions accept both.
 *
 * Why text at all: Socket.IO's default parser sends an event with a binary
 * argument as two WebSocket frames (a JSON header holding a placeholder, then
 * the attachment), and its adapter can pre-build a broadcast's WebSocket
 * frame once for all recipients only when the event is a single text packet.
 * For the small updates of people typing, base64 costs a third more bytes
 * and saves half the frames, and every per-recipient encoding; the profiles
 * behind this are in docs/PERFORMANCE.md. Past `LARGEST_TEXT_PAYLOAD_BYTES`
 * the balance turns: base64 and JSON's pass over the text, on both ends, cost
 * more than a second frame, so a document's first sync or a large paste goes
 * as binary. A payload for one socket (an answer, an open's ack) is framed
 * for that socket alone anyway: text saves it only the second frame, and
 * past a few KiB the passes over the text cost more than that frame.
 */
import { fromBase64, toBase64 } from "lib0/buffer";

export type WireBytes = Uint8Array | string;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The base64 length of `byteLength` bytes: what a transport limit must allow for a message of that size. */
export function base64Length(byteLength: number): number {
  return Math.ceil(byteLength / 3) * 4;
}

/** Up to this size a payload is sent as base64 text, above it as binary. */
export const LARGEST_TEXT_PAYLOAD_BYTES = 64 * 1024;
/** The same for a payload sent to one socket, which no broadcast frames once for many. */
export const LARGEST_TEXT_PAYLOAD_TO_ONE_BYTES = 4 * 1024;

export function toWire(bytes: Uint8Array, largestText = LARGEST_TEXT_PAYLOAD_BYTES): WireBytes {
  return bytes.byteLength > largestText ? bytes : toBase64(bytes);
}

/**
 * The bytes a payload carries, or undefined if it is neither binary nor
 * well-formed base64 (which must not silently decode to something else).
 * Browsers receive binary as ArrayBuffer, Node as Buffer.
 */
export function fromWire(payload: unknown): Uint8Array | undefined {
  if (typeof payload === "string") {
    if (payload.length % 4 !== 0 || !BASE64.test(payload)) return undefined;
    return fromBase64(payload);
  }
  if (payload instanceof Uint8Array) return payload;
  if (payload instanceof ArrayBuffer) return new Uint8Array(payload);
  return undefined;
}
