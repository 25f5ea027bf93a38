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
 * behind this are in docs/PERFORMANCE.md. Servers send text; clients may send
 * either, and text is cheaper for the server to receive.
 */
import { fromBase64, toBase64 } from "lib0/buffer";

export type WireBytes = Uint8Array | string;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The base64 length of `byteLength` bytes: what a transport limit must allow for a message of that size. */
export function base64Length(byteLength: number): number {
  return Math.ceil(byteLength / 3) * 4;
}

export function toWireText(bytes: Uint8Array): string {
  return toBase64(bytes);
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
