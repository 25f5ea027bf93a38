/** One kind of client per server under test; each has its own connection and its own Y.Doc. */

import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import { io, type Socket } from "socket.io-client";
import { WebSocket } from "ws";
import type { Awareness } from "y-protocols/awareness";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import { ProjectProvider } from "../../src/client/provider.js";
import { rawServiceClient } from "./raw-client.js";

/**
 * `cluster` is this service on two nodes sharing Redis; its URL lists both, and clients alternate between them.
 * `metrics` is this service with /metrics on (METRICS_TOKEN) and scraped every second while it runs.
 * `default` is this service exactly as `npm start` runs it: the embedded database inside it, its CPU counted.
 * `-raw`: the same server, driven by clients speaking the protocol directly instead of the shipped provider.
 * `hocuspocus` is Hocuspocus's server with its own provider, in memory like the reference.
 */
export type ServerKind =
  | "service"
  | "service-raw"
  | "metrics"
  | "default"
  | "default-raw"
  | "cluster"
  | "floor"
  | "reference"
  | "hocuspocus";

export interface BenchClient {
  doc: Y.Doc;
  /** Synced: the client holds the room's document. */
  ready: Promise<void>;
  /** The server acknowledged the open (the floor: its join; the reference has no acks: synced); rejects when refused. */
  opened: Promise<void>;
  /** Called with the time from a local change to its acknowledgement, where the server acknowledges. */
  onAck?: (handler: (latencyMs: number) => void) => void;
  close(): void;
}

export interface Room {
  /** The room, y-websocket document name or project id. */
  id: string;
  /** For the service: tokens of members of that project; client i uses token i (mod their number). */
  tokens?: string[];
}

/** Told of every presence or awareness message a client receives (W6 counts them). */
export interface Listeners {
  heard(kind: "presence" | "awareness"): void;
}

const REMOTE = Symbol("remote");

/**
 * As an editor binding does (y-codemirror's `setLocalStateField("user", …)`): without it a client's awareness state
 * stays at clock 0, which no peer applies, and nobody would see anybody. Then counts the awareness changes that came
 * from the server, whatever the provider calls their origin.
 */
function showUser(awareness: Awareness, index: number, listeners?: Listeners) {
  awareness.setLocalStateField("user", { name: `Bench ${index}`, color: "#30bced" });
  if (!listeners) return;
  awareness.on("update", (_changes: unknown, origin: unknown) => {
    if (origin !== "local") listeners.heard("awareness");
  });
}

function floorClient(url: string, room: Room): BenchClient {
  const doc = new Y.Doc();
  const socket: Socket = io(url, { transports: ["websocket"], forceNew: true, reconnection: false });
  let ackHandler: ((latencyMs: number) => void) | undefined;
  socket.on("update", (payload: Uint8Array) => Y.applyUpdate(doc, new Uint8Array(payload), REMOTE));
  doc.on("update", (update: Uint8Array, origin: unknown) => {
    if (origin === REMOTE) return;
    const started = performance.now();
    socket.emit("update", room.id, update, () => ackHandler?.(performance.now() - started));
  });
  const ready = new Promise<void>((resolve, reject) => {
    socket.once("connect", () => socket.emit("join", room.id, () => resolve()));
    socket.once("connect_error", reject);
  });
  return {
    doc,
    ready,
    opened: ready,
    onAck: (handler) => {
      ackHandler = handler;
    },
    close: () => socket.close(),
  };
}

function referenceClient(url: string, room: Room, index: number, listeners?: Listeners): BenchClient {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(url, room.id, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
  });
  showUser(provider.awareness, index, listeners);
  const ready = new Promise<void>((resolve) => {
    const onSync = (synced: boolean) => {
      if (!synced) return;
      provider.off("sync", onSync);
      resolve();
    };
    provider.on("sync", onSync);
  });
  return withoutAcks(doc, ready, () => provider.destroy());
}

/** A server with no acks and no refusals (in memory, checking nobody): a client is open once synced. */
function withoutAcks(doc: Y.Doc, ready: Promise<void>, close: () => void): BenchClient {
  return { doc, ready, opened: ready, close };
}

function hocuspocusClient(url: string, room: Room, index: number, listeners?: Listeners): BenchClient {
  const doc = new Y.Doc();
  // One WebSocket per provider, as a page with one document has; in Node it needs ws.
  const socket = new HocuspocusProviderWebsocket({ url, WebSocketPolyfill: WebSocket });
  const provider = new HocuspocusProvider({ websocketProvider: socket, name: room.id, document: doc });
  provider.attach(); // a provider given its socket does not attach itself
  showUser(provider.awareness as Awareness, index, listeners);
  const ready = new Promise<void>((resolve) => {
    if (provider.isSynced) resolve();
    else provider.on("synced", () => resolve());
  });
  return withoutAcks(doc, ready, () => {
    provider.destroy();
    socket.destroy();
  });
}

function serviceClient(url: string, room: Room, index: number, listeners?: Listeners): BenchClient {
  const tokens = room.tokens ?? [];
  const doc = new Y.Doc();
  const provider = new ProjectProvider({
    url,
    token: tokens[index % tokens.length] as string,
    projectId: room.id,
    doc,
    socketOptions: { transports: ["websocket"], forceNew: true },
  });
  showUser(provider.awareness, index, listeners);
  // The presence the provider tells at each open comes from the open's ack, not from a presence message.
  let fromOpenAck = false;
  provider.on("open", () => {
    fromOpenAck = true;
  });
  provider.on("presence", () => {
    if (fromOpenAck) fromOpenAck = false;
    else if (provider.status === "connected") listeners?.heard("presence");
  });
  const opened = new Promise<void>((resolve, reject) => {
    provider.once("open", () => resolve());
    provider.on("error", (error) => {
      if (!provider.role) reject(new Error(error.code));
    });
  });
  opened.catch(() => undefined);
  // Acks come back in send order on one socket: a FIFO of send times pairs them up.
  const sentAt: number[] = [];
  let ackHandler: ((latencyMs: number) => void) | undefined;
  let unsynced = 0;
  doc.on("update", (_update: Uint8Array, origin: unknown) => {
    if (origin !== provider && provider.status === "connected") sentAt.push(performance.now());
  });
  provider.on("unsynced", (count) => {
    if (count < unsynced) {
      for (let i = count; i < unsynced; i++) {
        const started = sentAt.shift();
        if (started !== undefined) ackHandler?.(performance.now() - started);
      }
    }
    unsynced = count;
  });
  return {
    doc,
    ready: provider.whenSynced(),
    opened,
    onAck: (handler) => {
      ackHandler = handler;
    },
    close: () => provider.destroy(),
  };
}

export function connectClient(
  kind: ServerKind,
  url: string,
  room: Room,
  index = 0,
  listeners?: Listeners,
): BenchClient {
  if (kind === "floor") return floorClient(url, room);
  if (kind === "default-raw" || kind === "service-raw") return rawServiceClient(url, room, index, listeners);
  if (kind === "reference") return referenceClient(url, room, index, listeners);
  if (kind === "hocuspocus") return hocuspocusClient(url, room, index, listeners);
  if (kind === "cluster") {
    const urls = url.split(",");
    return serviceClient(urls[index % urls.length] as string, room, index, listeners);
  }
  return serviceClient(url, room, index, listeners);
}
