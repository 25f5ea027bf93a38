import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import { ObservableV2 } from "lib0/observable";
import { io, type Socket } from "socket.io-client";
import { Awareness } from "y-protocols/awareness";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
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
import { Backoff } from "./backoff.js";
import { type ChangeChannel, OutgoingChanges } from "./outgoing-changes.js";
import type {
  ConnectionError,
  ProjectProviderEvents,
  ProjectProviderOptions,
  ProviderStatus,
  SaveState,
} from "./provider-options.js";
import { ProviderTokens } from "./token-renewal.js";

export type { ConnectionError, ProjectProviderEvents, ProjectProviderOptions, ProviderStatus, SaveState };

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

  private readonly socket: ClientSocket;
  private readonly ackTimeoutMs: number;
  private isOpen = false;
  private readonly outgoing: OutgoingChanges;
  private revoked = false;
  private readonly ownsAwareness: boolean;
  private readonly presenceStates: AwarenessExchange;
  private readonly tokens: ProviderTokens;
  /** disconnect() or destroy() was called: nothing reconnects until connect(). */
  private stopped = false;
  /** Handshakes and opens the service could not serve for now are tried again after growing pauses. */
  private readonly retries = new Backoff(() => !this.revoked && !this.stopped);

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
    this.outgoing = new OutgoingChanges({
      isOpen: () => this.isOpen,
      send: (message, ack) => {
        // The event's ack is optional in the contract, which socket.io's timeout typing cannot express.
        const emitter = this.socket.timeout(this.ackTimeoutMs) as unknown as {
          emit(
            event: "yjs:sync",
            projectId: string,
            message: WireBytes,
            ack: Parameters<ChangeChannel["send"]>[1],
          ): void;
        };
        emitter.emit("yjs:sync", this.projectId, toWire(message), ack);
      },
      unsyncedChanged: (count) => {
        this.emit("unsynced", [count]);
        this.updateSaveState();
      },
      refused: (error) => this.emit("error", [error]),
    });
    this.tokens = new ProviderTokens(options.token, (fresh) => this.refreshToken(fresh));
    this.socket = io(`${options.url.replace(/\/$/, "")}${PROJECTS_NAMESPACE}`, {
      ...options.socketOptions,
      autoConnect: false,
      auth: this.tokens.auth,
    });
    this.socket.on("connect", this.onConnect);
    this.socket.on("disconnect", this.onDisconnect);
    this.socket.on("connect_error", this.onConnectError);
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
    this.doc.on("update", this.onDocumentUpdate);
    if (options.connect !== false) this.connect();
  }

  /** Local changes not yet acknowledged as stored by the server (queued or sent). */
  get unsyncedChanges(): number {
    return this.outgoing.count;
  }

  connect(): void {
    this.revoked = false;
    this.stopped = false;
    this.retries.cancel();
    this.setStatus("connecting");
    this.socket.connect();
  }

  /**
   * Replaces a string token: used for every later handshake, and handed to
   * the server at once when connected, so the open connection outlives the
   * old token. Resolves whether the server accepted it.
   */
  async setToken(token: string): Promise<boolean> {
    this.tokens.replace(token);
    if (!this.socket.connected) return true;
    const accepted = await this.refreshToken(token);
    if (accepted) this.tokens.accepted(token);
    return accepted;
  }

  private refreshToken(token: string): Promise<boolean> {
    return new Promise((resolve) => {
      this.socket.timeout(this.ackTimeoutMs).emit("auth:refresh", token, (timedOut, response) => {
        resolve(!timedOut && response.ok);
      });
    });
  }

  disconnect(): void {
    this.stopped = true;
    this.tokens.stop();
    this.retries.cancel();
    this.socket.disconnect();
    this.closed();
  }

  override destroy(): void {
    this.disconnect();
    this.doc.off("update", this.onDocumentUpdate);
    this.presenceStates.stop();
    // An Awareness runs a timer: one this provider made would keep a Node process alive.
    if (this.ownsAwareness) this.awareness.destroy();
    this.socket.removeAllListeners();
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
    const count = this.outgoing?.count ?? 0;
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

  private readonly onConnect = () => this.open();

  private open(): void {
    // A callback ack, not emitWithAck: it runs as the ack arrives, before the server's sync step 1 that follows it.
    this.socket.timeout(this.ackTimeoutMs).emit("project:open", this.projectId, (timedOut, response) => {
      if (!this.socket.connected) return;
      if (timedOut) {
        // No answer in time: drop the connection and come back after a pause.
        this.emit("error", [{ code: "INTERNAL", message: "the server did not answer project:open" }]);
        this.socket.disconnect();
        this.retries.later(() => this.socket.connect());
        return;
      }
      this.opened(response);
    });
  }

  private opened(response: AckResponse<OpenResult>): void {
    if (!response.ok) {
      this.emit("error", [response.error]);
      if (response.error.code === "UNAVAILABLE" || response.error.code === "INTERNAL") {
        // The service cannot check access right now: ask again later on the same connection.
        this.retries.later(() => this.open());
        return;
      }
      this.disconnect();
      return;
    }
    this.retries.succeeded();
    this.tokens.opened();
    this.isOpen = true;
    this.role = response.role;
    this.readOnly = response.readOnly;
    this.online = response.online;
    this.setStatus("connected");
    this.emit("open", [response]);
    this.emit("presence", [response.online]);
    this.send(syncProtocol.writeSyncStep1);
    this.presenceStates.announce();
  }

  private readonly onDisconnect = (reason: string) => {
    this.closed();
    // The server hung up (an expired token, say): try again, asking for a fresh token.
    if (reason === "io server disconnect" && !this.revoked) {
      setTimeout(() => {
        if (!this.revoked && this.status === "disconnected") this.connect();
      }, 1000);
    }
  };

  private readonly onConnectError = (error: Error & { data?: { code?: string } }) => {
    const code = error.data?.code;
    // Without a code the transport failed (server down, network, a browser's CORS refusal): socket.io-client retries.
    const named = (["UNAUTHORIZED", "ORIGIN_REFUSED", "UNAVAILABLE", "INTERNAL"] as const).find(
      (each) => each === code,
    );
    this.emit("connection-error", [{ code: named ?? "UNREACHABLE", message: error.message }]);
    if (code === "UNAUTHORIZED" || code === "ORIGIN_REFUSED") {
      // Not retried by socket.io-client, nor here: the token (or the page's origin) must change first.
      if (code === "UNAUTHORIZED") this.emit("error", [{ code, message: "the server refused the token" }]);
      this.setStatus("disconnected");
      return;
    }
    if (code === "UNAVAILABLE" || code === "INTERNAL") {
      // Not retried by socket.io-client either, but the same token will do once the service recovers.
      this.emit("error", [{ code, message: "the service is unavailable; retrying" }]);
      this.retries.later(() => this.socket.connect());
    }
  };

  private closed(): void {
    this.isOpen = false;
    this.tokens.stop();
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
    if (projectId !== this.projectId || !message || !this.isOpen) return;
    const decoder = decoding.createDecoder(message);
    const type = decoding.readVarUint(decoder);
    if (type === syncProtocol.messageYjsSyncStep1) {
      // Answer with what the server lacks: offline edits travel this way.
      const missing = Y.encodeStateAsUpdate(this.doc, decoding.readVarUint8Array(decoder));
      this.outgoing.sendStep2(missing);
      return;
    }
    syncProtocol.readSyncStep2(decoder, this.doc, this, (error) =>
      this.emit("error", [
        { code: "INVALID_UPDATE", message: `the server sent an update that does not apply: ${error.message}` },
      ]),
    );
    if (type === syncProtocol.messageYjsSyncStep2) this.setSynced(true);
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
    this.emit("role", [role, readOnly]);
  };

  private readonly onAccessRevoked = ({ projectId }: { projectId: string }) => {
    if (projectId !== this.projectId) return;
    this.revoked = true;
    this.emit("access-revoked", []);
    this.disconnect();
  };

  private readonly onDocumentUpdate = (update: Uint8Array, origin: unknown) => {
    if (origin === this) return;
    // Made offline, it is counted as unsynced now and carried by the next connection's sync step 2.
    this.outgoing.queue(update);
  };

  private send(write: (encoder: encoding.Encoder, doc: Y.Doc) => void): void {
    const encoder = encoding.createEncoder();
    write(encoder, this.doc);
    this.socket.emit("yjs:sync", this.projectId, toWire(encoding.toUint8Array(encoder)));
  }
}
