import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import type { Socket } from "socket.io-client";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import type { AckResponse, WireBytes } from "../../src/protocol/events.js";
import { connectProjects, nextEvent, openProject, type ProjectsClient } from "./sockets.js";

export function encodeMessage(write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  write(encoder);
  return encoding.toUint8Array(encoder);
}

export const updateMessage = (update: Uint8Array) =>
  encodeMessage((encoder) => syncProtocol.writeUpdate(encoder, update));
export const step1Message = (doc: Y.Doc) => encodeMessage((encoder) => syncProtocol.writeSyncStep1(encoder, doc));

/** What a yjs payload from the server holds: base64 text, or binary past the text limit. */
export function bytesOf(payload: WireBytes): Uint8Array {
  return typeof payload === "string" ? new Uint8Array(Buffer.from(payload, "base64")) : new Uint8Array(payload);
}

/** A client made of socket.io-client and yjs only, speaking the protocol by hand. */
export interface RawClient {
  socket: ProjectsClient;
  doc: Y.Doc;
  /** Sends a sync message and resolves with the ack. */
  sync(projectId: string, message: WireBytes): Promise<AckResponse>;
}

/** Connects, opens the project and completes the sync handshake, answering the server as y-protocols does. */
export async function rawClient(url: string, token: string, projectId: string): Promise<RawClient> {
  const socket = await connectProjects(url, token);
  const doc = new Y.Doc();
  socket.on("yjs:sync", (id, data) => {
    if (id !== projectId) return;
    const encoder = encoding.createEncoder();
    syncProtocol.readSyncMessage(decoding.createDecoder(bytesOf(data)), encoder, doc, "server");
    if (encoding.length(encoder) > 0) socket.emit("yjs:sync", projectId, encoding.toUint8Array(encoder));
  });
  const serverStep1 = nextEvent(socket, "yjs:sync");
  const opened = await openProject(socket, projectId);
  if (!opened.ok) throw new Error(`open failed: ${opened.error.code}`);
  await serverStep1;
  const synced = nextEvent<Uint8Array>(socket, "yjs:sync");
  socket.emit("yjs:sync", projectId, step1Message(doc));
  await synced;
  return {
    socket,
    doc,
    sync: (id, message) => (socket.timeout(5000) as unknown as Socket).emitWithAck("yjs:sync", id, message),
  };
}

/** An update that inserts `text` into a fresh document of its own (a new client id). */
export function insertion(text: string, base?: Y.Doc): Uint8Array {
  const doc = new Y.Doc();
  if (base) Y.applyUpdate(doc, Y.encodeStateAsUpdate(base));
  const before = Y.encodeStateVector(doc);
  doc.getText("body").insert(0, text);
  return Y.encodeStateAsUpdate(doc, before);
}

/** Resolves at the next sync step 1 the server sends this socket (its way of asking for a resync). */
export function serverStep1(socket: ProjectsClient): Promise<void> {
  return new Promise((resolve) => {
    socket.on("yjs:sync", (_projectId, message) => {
      if (bytesOf(message)[0] === 0) resolve();
    });
  });
}
