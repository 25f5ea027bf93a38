/**
 * This service driven the way docs/PROTOCOL.md describes it, with nothing of
 * the shipped provider: `project:open` with the client's state vector (the
 * ack carries the server's half of the sync), then y-protocols sync messages on
 * `yjs:sync` (each change acked once stored), no awareness. Beside the
 * provider's figures, it separates what the service costs from what the
 * provider adds (awareness, save state, retries).
 */
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import { io } from "socket.io-client";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import type { AckResponse, OpenOptions, OpenResult } from "../../src/protocol/events.js";
import { fromWire, toWire } from "../../src/protocol/wire-bytes.js";
import type { BenchClient, Listeners, Room } from "./clients.js";

const REMOTE = Symbol("remote");

export function rawServiceClient(url: string, room: Room, index: number, listeners?: Listeners): BenchClient {
  const tokens = room.tokens ?? [];
  const doc = new Y.Doc();
  const socket = io(`${url}/projects`, {
    auth: { token: tokens[index % tokens.length] },
    transports: ["websocket"],
    forceNew: true,
    reconnection: false,
  });
  // Told like the provider's, though this client shows no user of its own in awareness.
  socket.on("presence", () => listeners?.heard("presence"));
  socket.on("yjs:awareness", () => listeners?.heard("awareness"));
  let ackHandler: ((latencyMs: number) => void) | undefined;
  let markSynced: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    markSynced = resolve;
  });
  const send = (message: Uint8Array, ack?: () => void) => {
    if (ack) socket.emit("yjs:sync", room.id, toWire(message), ack);
    else socket.emit("yjs:sync", room.id, toWire(message));
  };
  socket.on("yjs:sync", (projectId: string, data: unknown) => {
    const message = fromWire(data);
    if (projectId !== room.id || !message) return;
    const reply = encoding.createEncoder();
    const type = syncProtocol.readSyncMessage(decoding.createDecoder(message), reply, doc, REMOTE);
    if (encoding.length(reply) > 0) send(encoding.toUint8Array(reply));
    if (type === syncProtocol.messageYjsSyncStep2) markSynced();
  });
  doc.on("update", (update: Uint8Array, origin: unknown) => {
    if (origin === REMOTE) return;
    const encoder = encoding.createEncoder();
    syncProtocol.writeUpdate(encoder, update);
    const started = performance.now();
    send(encoding.toUint8Array(encoder), () => ackHandler?.(performance.now() - started));
  });
  const opened = new Promise<void>((resolve, reject) => {
    // The open carries the state vector; its ack, the server's half of the handshake.
    const options: OpenOptions = { stateVector: toWire(Y.encodeStateVector(doc)) };
    socket.once("connect", () =>
      socket.emit("project:open", room.id, options, (response: AckResponse<OpenResult>) => {
        if (!response.ok) return reject(new Error(response.error.code));
        resolve();
        const update = response.sync && fromWire(response.sync.update);
        const serverState = response.sync && fromWire(response.sync.stateVector);
        if (!update || !serverState) return reject(new Error("the open's ack carried no sync"));
        Y.applyUpdate(doc, update, REMOTE);
        const encoder = encoding.createEncoder();
        syncProtocol.writeSyncStep2(encoder, doc, serverState);
        send(encoding.toUint8Array(encoder));
        markSynced();
      }),
    );
    socket.once("connect_error", reject);
  });
  opened.catch(() => undefined);
  return {
    doc,
    ready,
    opened,
    onAck: (handler) => {
      ackHandler = handler;
    },
    close: () => socket.close(),
  };
}
