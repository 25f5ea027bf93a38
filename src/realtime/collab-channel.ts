import { z } from "zod";
import type { CollabConnection } from "../collab/connection.js";
import type { CollabDocument, DocumentBroadcaster } from "../collab/document.js";
import type { DocumentRegistry } from "../collab/registry.js";
import { checkStateVector } from "../collab/sync-messages.js";
import { AppError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics/metrics.js";
import { LARGEST_TEXT_PAYLOAD_TO_ONE_BYTES, toWire, type WireBytes } from "../protocol/wire-bytes.js";
import { answer, splitAck, toWireError } from "./acks.js";
import type { OpenGreeting, OpenRequest } from "./project-rooms.js";
import { projectIdOfRoom, projectRoom } from "./rooms.js";
import { sharedListener } from "./shared-listeners.js";
import { SocketTransport } from "./socket-transport.js";
import type { ProjectsNamespace, ProjectsSocket } from "./types.js";
import { wireBytes } from "./wire-schema.js";

const documentArguments = z.tuple([z.string().max(100), wireBytes("expected binary data or base64 text")]);

/** y-protocols' sync message types, as metric labels. */
const SYNC_TYPES: Record<number, string> = { 0: "step1", 1: "step2", 2: "update" };
/** At debug level, one document message in this many is logged: enough to see traffic, never a line per keystroke. */
const LOG_ONE_MESSAGE_IN = 100;

/**
 * The store retries a failed write until it succeeds; the sender is not kept
 * waiting that long. It hears UNAVAILABLE and sends the change again later
 * (Yjs updates are idempotent), keeping it unsynced meanwhile.
 */
function within(stored: Promise<void>, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new AppError("UNAVAILABLE", "the change is not stored yet; send it again later")),
      timeoutMs,
    );
    stored.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

interface Membership {
  projectId: string;
  document: CollabDocument;
  connection: CollabConnection;
}

/**
 * Document traffic goes to this node's sockets in the room only: in a
 * cluster every node holding the document relays what it learns (from its
 * clients or from the other nodes) to its own sockets, so each client hears
 * each change once, from its own node. As one text packet, a message is
 * encoded, and framed for WebSocket, once for all recipients (wire-bytes.ts).
 */
export function roomBroadcaster(
  namespace: ProjectsNamespace,
  /** Whether a socket's reader does not keep up (outbound.ts): droppable awareness skips it, unless owed. */
  isBehind: (socket: ProjectsSocket) => boolean,
  metrics?: Metrics,
): DocumentBroadcaster {
  const target = (documentId: string, except?: string | string[]) => {
    const room = namespace.local.to(projectRoom(documentId));
    return except?.length ? room.except(except) : room;
  };
  const behindIn = (documentId: string, owed: ReadonlySet<string>): string[] => {
    const behind: string[] = [];
    for (const socketId of namespace.adapter.rooms.get(projectRoom(documentId)) ?? []) {
      const socket = namespace.sockets.get(socketId);
      if (socket && !owed.has(socketId) && isBehind(socket)) behind.push(socketId);
    }
    return behind;
  };
  const counted = (documentId: string, except?: string) => {
    if (!metrics) return;
    const recipients = namespace.adapter.rooms.get(projectRoom(documentId))?.size ?? 0;
    metrics.relays.inc();
    metrics.relayFanOut.inc(Math.max(0, recipients - (except ? 1 : 0)));
  };
  return {
    sync: (documentId, message, except) => {
      counted(documentId, except);
      target(documentId, except).emit("yjs:sync", documentId, toWire(message));
    },
    awareness: (documentId, update, { except, droppable, owed }) => {
      const skipped = droppable ? behindIn(documentId, owed) : [];
      if (except) skipped.push(except);
      target(documentId, skipped).emit("yjs:awareness", documentId, toWire(update));
    },
  };
}

/**
 * `yjs:sync` and `yjs:awareness` on /projects: binds each socket with an open
 * project to that project's document, and forwards what it sends. A socket
 * leaves the document whenever it leaves the room, however that happens
 * (close, switch, disconnect, eviction from any node): the adapter says so.
 */
export class CollabChannel {
  private messagesSeen = 0;

  private readonly memberships = new Map<string, Membership>();
  /**
   * Bytes told to many newcomers as they are (the whole state, a large
   * room's awareness welcome) go on the wire encoded once.
   */
  private readonly onWire = new WeakMap<Uint8Array, WireBytes>();

  constructor(
    namespace: ProjectsNamespace,
    private readonly registry: DocumentRegistry,
    private readonly logger: Logger,
    private readonly whenDrained: (socket: ProjectsSocket, callback: () => void) => void,
    /** An ack waits this long for the store; then it answers UNAVAILABLE, and the store keeps trying. */
    private readonly ackTimeoutMs: number,
    private readonly metrics?: Metrics,
  ) {
    namespace.adapter.on("leave-room", (room: string, socketId: string) => {
      const projectId = projectIdOfRoom(room);
      if (projectId) this.detach(socketId, projectId);
    });
  }

  /**
   * Joins the socket to its open project's document; greets it with the sync
   * handshake's server half and who is here: in the open's ack when the open
   * sent its state vector, otherwise after it (the server's sync step 1).
   */
  async join(socket: ProjectsSocket, projectId: string, request: OpenRequest): Promise<OpenGreeting> {
    const { stateVector } = request;
    if (stateVector) {
      try {
        checkStateVector(stateVector);
      } catch {
        throw new AppError("VALIDATION", "stateVector is not a Yjs state vector");
      }
    }
    const transport = new SocketTransport(socket, projectId, this.whenDrained);
    const { document, connection } = await this.registry.join(projectId, transport);
    this.detach(socket.id);
    if (socket.disconnected || !socket.rooms.has(projectRoom(projectId))) {
      // It left while the document loaded.
      this.registry.leave(projectId, socket.id);
      throw new AppError("NOT_FOUND", "project not found");
    }
    this.memberships.set(socket.id, { projectId, document, connection });
    if (!stateVector) return { afterAck: () => document.welcome(connection) };
    let sent: (() => void) | undefined;
    return {
      inAck: () => {
        this.metrics?.updatesReceived.inc({ type: "step1" });
        const welcome = document.welcomeInAck(connection, stateVector);
        sent = welcome.sent;
        const sync = { update: this.wireOf(welcome.update), stateVector: toWire(welcome.stateVector) };
        return welcome.awareness ? { sync, awareness: this.wireOf(welcome.awareness) } : { sync };
      },
      afterAck: () => sent?.(),
    };
  }

  private wireOf(bytes: Uint8Array): WireBytes {
    let wire = this.onWire.get(bytes);
    if (wire === undefined) {
      wire = toWire(bytes, LARGEST_TEXT_PAYLOAD_TO_ONE_BYTES);
      this.onWire.set(bytes, wire);
    }
    return wire;
  }

  private readonly onSync = sharedListener<ProjectsSocket>((socket, raw) => {
    const { args, ack } = splitAck(raw);
    const projectId = typeof args[0] === "string" ? args[0] : "";
    const received = performance.now();
    let type = "unknown";
    const stored = this.run(socket, args, (membership, message) => {
      type = SYNC_TYPES[message[0] ?? -1] ?? type;
      this.metrics?.updatesReceived.inc({ type });
      if (++this.messagesSeen % LOG_ONE_MESSAGE_IN === 0 && this.logger.isLevelEnabled("debug")) {
        this.logger.debug(
          { projectId, socketId: socket.id, type, bytes: message.byteLength, sampledOneIn: LOG_ONE_MESSAGE_IN },
          "document message",
        );
      }
      return membership.document.receiveSync(membership.connection, message);
    });
    // A step 1 asks for changes and stores none: its ack is no durable ack.
    if (this.metrics) this.observe(stored, received, type !== "step1");
    if (ack)
      answer(
        ack,
        within(stored, this.ackTimeoutMs).then(() => ({})),
        this.logger,
      );
    else stored.catch((error: unknown) => this.reportError(socket, projectId, error));
  });

  private readonly onAwareness = sharedListener<ProjectsSocket>((socket, raw) => {
    const { args } = splitAck(raw);
    const projectId = typeof args[0] === "string" ? args[0] : "";
    this.run(socket, args, async (membership, update) => {
      membership.document.receiveAwareness(membership.connection, update);
    }).catch((error: unknown) => {
      this.metrics?.updatesRefused.inc({ code: toWireError(error, this.logger).code });
      this.reportError(socket, projectId, error);
    });
  });

  attach(socket: ProjectsSocket): void {
    socket.on("yjs:sync", this.onSync);
    socket.on("yjs:awareness", this.onAwareness);
  }

  /** The durable ack's latency (for a change), or the refusal's code. */
  private observe(stored: Promise<void>, received: number, isChange: boolean): void {
    stored.then(
      () => {
        if (isChange) this.metrics?.durableAck.observe((performance.now() - received) / 1000);
      },
      (error: unknown) =>
        this.metrics?.updatesRefused.inc({ code: error instanceof AppError ? error.code : "INTERNAL" }),
    );
  }

  private run(
    socket: ProjectsSocket,
    args: unknown[],
    handle: (membership: Membership, message: Uint8Array) => Promise<void>,
  ): Promise<void> {
    try {
      const parsed = documentArguments.safeParse(args.slice(0, 2));
      if (!parsed.success)
        throw new AppError("VALIDATION", "expected (projectId: string, message: binary or base64 text)");
      const [projectId, message] = parsed.data;
      const membership = this.memberships.get(socket.id);
      // An update for a project this socket no longer has open must never land in the one it has now.
      if (!membership || membership.projectId !== projectId || !socket.rooms.has(projectRoom(projectId))) {
        throw new AppError("NOT_OPEN", "this project is not open on this connection");
      }
      return handle(membership, message);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private reportError(socket: ProjectsSocket, projectId: string, error: unknown): void {
    const { code } = toWireError(error, this.logger);
    socket.emit("yjs:error", { projectId, code });
  }

  private detach(socketId: string, projectId?: string): void {
    const membership = this.memberships.get(socketId);
    if (!membership || (projectId && membership.projectId !== projectId)) return;
    this.memberships.delete(socketId);
    this.registry.leave(membership.projectId, socketId);
  }
}
