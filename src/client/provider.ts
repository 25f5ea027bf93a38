import { ObservableV2 } from "lib0/observable";
import type { Socket } from "socket.io-client";
import { Awareness } from "y-protocols/awareness";
import type * as Y from "yjs";
import {
  type AckResponse,
  type OnlineUser,
  type OpenResult,
  PROJECTS_NAMESPACE,
  type ProjectsClientToServerEvents,
  type ProjectsServerToClientEvents,
  type Role,
  type RolePayload,
} from "../protocol/events.js";
import { fromWire, toWire, type WireBytes } from "../protocol/wire-bytes.js";
import { AwarenessExchange } from "./awareness-exchange.js";
import { DocumentSync, type SyncChannel } from "./document-sync.js";
import { type ChatConnection, ProjectChat } from "./project-chat.js";
import type {
  ConnectionError,
  ProjectProviderEvents,
  ProjectProviderOptions,
  ProviderStatus,
  SaveState,
} from "./provider-options.js";
import { ServiceSocket } from "./service-socket.js";

export type { ConnectionError, ProjectProviderEvents, ProjectProviderOptions, ProviderStatus, SaveState };

/** The chat events' acks, which socket.io's timeout typing cannot infer from a union of events. */
interface ChatEmitter {
  emit(
    event: string,
    projectId: string,
    input: object,
    ack: (timedOut: Error | null, reply: NonNullable<Awaited<ReturnType<ChatConnection["request"]>>>) => void,
  ): void;
}

type SyncAck = NonNullable<Parameters<SyncChannel["send"]>[1]>;

type ClientSocket = Socket<ProjectsServerToClientEvents, ProjectsClientToServerEvents>;

/**
 * Keeps a Y.Doc in sync with one project of the service, for editor bindings
 * (y-codemirror, y-prosemirror, y-quill, y-monaco) in browsers and in Node.
 * Reconnects on its own; every reconnect reopens the project and runs the
 * sync handshake again, which merges whatever was edited while offline.
 */
export class ProjectProvider extends ObservableV2<ProjectProviderEvents> {
  readonly doc: Y.Doc;
  readonly awareness: Awareness;
  readonly projectId: string;
  status: ProviderStatus = "disconnected";
  synced = false;
  role: Role | undefined;
  /** "saved": the server stored every local change; "saving": some are on their way; "offline-unsaved": some wait for a connection. */
  saveState: SaveState = "saved";
  /** The caller's role may not change the document (its changes are refused with READ_ONLY). */
  readOnly = true;
  online: OnlineUser[] = [];

  private readonly connection: ServiceSocket<ClientSocket>;
  private readonly socket: ClientSocket;
  private readonly ackTimeoutMs: number;
  private isOpen = false;
  private readonly sync: DocumentSync;
  private readonly ownsAwareness: boolean;
  private readonly presenceStates: AwarenessExchange;
  /** The project's chat, on this provider's connection. */
  readonly chat: ProjectChat;

  constructor(options: ProjectProviderOptions) {
    super();
    this.doc = options.doc;
    this.projectId = options.projectId;
    this.awareness = options.awareness ?? new Awareness(options.doc);
    this.ownsAwareness = options.awareness === undefined;
    this.presenceStates = new AwarenessExchange(this.awareness, {
      isOpen: () => this.isOpen,
      send: (update) => this.socket.emit("yjs:awareness", this.projectId, update),
    });
    this.ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
    this.sync = new DocumentSync(
      options.doc,
      {
        isOpen: () => this.isOpen,
        send: (message, ack) => this.sendSync(message, ack),
        unsyncedChanged: (count) => {
          this.emit("unsynced", [count]);
          this.updateSaveState();
        },
        synced: () => this.setSynced(true),
        error: (error) => this.emit("error", [error]),
        reverted: (code, edits) => this.emit("reverted", [code, edits]),
      },
      this,
    );
    this.connection = new ServiceSocket<ClientSocket>(
      { ...options, namespace: PROJECTS_NAMESPACE, ackTimeoutMs: this.ackTimeoutMs },
      {
        connected: () => this.open(),
        closed: () => this.closed(),
        connecting: () => this.setStatus("connecting"),
        connectionError: (error) => this.emit("connection-error", [error]),
        error: (error) => this.emit("error", [error]),
      },
    );
    this.socket = this.connection.socket;
    this.chat = new ProjectChat(this.projectId, {
      isOpen: () => this.isOpen,
      whenOpen: () => (this.isOpen ? Promise.resolve() : new Promise((resolve) => this.once("open", () => resolve()))),
      request: (event, input) =>
        new Promise((resolve) => {
          const emitter = this.socket.timeout(this.ackTimeoutMs) as unknown as ChatEmitter;
          emitter.emit(event, this.projectId, input, (timedOut, reply) => resolve(timedOut ? undefined : reply));
        }),
      typing: () => this.socket.emit("chat:typing", this.projectId),
    });
    const mine = (projectId: string) => projectId === this.projectId;
    this.socket.on("chat:history", (payload) => mine(payload.projectId) && this.chat.receiveHistory(payload));
    this.socket.on("chat:message", (message) => mine(message.projectId) && this.chat.receiveMessage(message));
    this.socket.on("chat:changed", (message) => mine(message.projectId) && this.chat.receiveChange(message));
    this.socket.on("chat:typing", (who) => mine(who.projectId) && this.chat.receiveTyping(who));
    this.socket.on("yjs:sync", this.onSync);
    this.socket.on("yjs:awareness", (projectId, data) => {
      if (projectId === this.projectId) this.presenceStates.receive(data);
    });
    this.socket.on("presence", this.onPresence);
    this.socket.on("project:access-revoked", this.onAccessRevoked);
    this.socket.on("project:role", this.onRole);
    this.socket.on("yjs:error", ({ code }) =>
      this.emit("error", [{ code, message: `the server refused a change: ${code}` }]),
    );
    if (options.connect !== false) this.connect();
    else if (this.connection.connectedAtCreation) this.connection.disconnect();
  }

  /** Local changes not yet acknowledged as stored by the server (queued or sent). */
  get unsyncedChanges(): number {
    return this.sync.unsyncedChanges;
  }

  connect(): void {
    this.connection.connect();
  }

  /**
   * Replaces a string token: used for every later handshake, and handed to
   * the server at once when connected, so the open connection outlives the
   * old token. Resolves whether the server accepted it.
   */
  setToken(token: string): Promise<boolean> {
    return this.connection.setToken(token);
  }

  disconnect(): void {
    this.connection.disconnect();
    this.closed();
  }

  override destroy(): void {
    this.disconnect();
    this.connection.destroy();
    this.chat.destroy();
    this.sync.destroy();
    this.presenceStates.stop();
    // An Awareness runs a timer: one this provider made would keep a Node process alive.
    if (this.ownsAwareness) this.awareness.destroy();
    super.destroy();
  }

  /** Resolves once synced (now, or at the next sync). */
  whenSynced(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => {
      const listener = (synced: boolean) => {
        if (!synced) return;
        this.off("synced", listener);
        resolve();
      };
      this.on("synced", listener);
    });
  }

  private setStatus(status: ProviderStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.emit("status", [status]);
    this.updateSaveState();
  }

  /** What a "Saved" indicator shows: derived from the unsynced count and the connection, told on every change. */
  private updateSaveState(): void {
    const count = this.sync?.unsyncedChanges ?? 0;
    const state: SaveState = count === 0 ? "saved" : this.status === "connected" ? "saving" : "offline-unsaved";
    if (state === this.saveState) return;
    this.saveState = state;
    this.emit("save-state", [state]);
  }

  private setSynced(synced: boolean): void {
    if (this.synced === synced) return;
    this.synced = synced;
    this.emit("synced", [synced]);
  }

  private open(): void {
    // A callback ack, not emitWithAck: it runs as the ack arrives, before any document traffic that follows it.
    const options = this.sync.openOptions();
    this.socket.timeout(this.ackTimeoutMs).emit("project:open", this.projectId, options, (timedOut, response) => {
      if (!this.socket.connected) return;
      if (timedOut) {
        // No answer in time: drop the connection and come back after a pause.
        this.emit("error", [{ code: "INTERNAL", message: "the server did not answer project:open" }]);
        this.connection.reconnectLater();
        return;
      }
      this.opened(response);
    });
  }

  private reopen(): void {
    if (this.socket.connected) this.open();
  }

  private opened(response: AckResponse<OpenResult>): void {
    if (!response.ok) {
      const { code } = response.error;
      this.emit("error", [response.error]);
      // DRAINING: this node is going away, so a new connection (a load balancer sends it elsewhere). UNAVAILABLE,
      // INTERNAL: the service cannot check access right now, so ask again later on this one. Anything else is final.
      if (code === "DRAINING") this.connection.reconnectLater();
      else if (code === "UNAVAILABLE" || code === "INTERNAL") this.connection.retries.later(() => this.reopen());
      else this.disconnect();
      return;
    }
    this.connection.established();
    this.isOpen = true;
    this.role = response.role;
    this.readOnly = response.readOnly;
    this.sync.setReadOnly(response.readOnly);
    this.online = response.online;
    this.setStatus("connected");
    this.emit("open", [response]);
    this.emit("presence", [response.online]);
    this.sync.opened(response.sync);
    if (response.awareness) this.presenceStates.receive(response.awareness);
    this.presenceStates.announce();
  }

  private closed(): void {
    this.isOpen = false;
    this.setSynced(false);
    this.setStatus("disconnected");
    // Whoever was online is not known any more: no stale avatars while offline or after a revocation.
    if (this.online.length > 0) {
      this.online = [];
      this.emit("presence", [[]]);
    }
    this.presenceStates.forgetOthers();
  }

  private readonly onSync = (projectId: string, data: unknown) => {
    const message = fromWire(data);
    if (projectId === this.projectId && message && this.isOpen) this.sync.receive(message);
  };

  private readonly onPresence = ({ projectId, online }: { projectId: string; online: OnlineUser[] }) => {
    if (projectId !== this.projectId) return;
    this.online = online;
    this.emit("presence", [online]);
  };

  private readonly onRole = ({ projectId, role, readOnly }: RolePayload) => {
    if (projectId !== this.projectId) return;
    this.role = role;
    this.readOnly = readOnly;
    this.sync.setReadOnly(readOnly);
    this.emit("role", [role, readOnly]);
  };

  private readonly onAccessRevoked = ({ projectId }: { projectId: string }) => {
    if (projectId !== this.projectId) return;
    this.emit("access-revoked", []);
    this.disconnect();
  };

  private sendSync(message: Uint8Array, ack?: SyncAck): void {
    if (!ack) {
      this.socket.emit("yjs:sync", this.projectId, toWire(message));
      return;
    }
    // The event's ack is optional in the contract, which socket.io's timeout typing cannot express.
    const emitter = this.socket.timeout(this.ackTimeoutMs) as unknown as {
      emit(event: "yjs:sync", projectId: string, message: WireBytes, ack: SyncAck): void;
    };
    emitter.emit("yjs:sync", this.projectId, toWire(message), ack);
  }
}
