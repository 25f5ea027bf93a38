import type { ManagerOptions, SocketOptions } from "socket.io-client";
import type { Awareness } from "y-protocols/awareness";
import type * as Y from "yjs";
import type { ErrorCode, OnlineUser, OpenResult, Role, WireError } from "../protocol/events.js";

import type { ConnectionError, ConnectionStatus } from "./service-socket.js";

export type { ConnectionError };

/** What a `ProjectProvider` is given, and the events it reports: the provider's public contract. */
export type ProviderStatus = ConnectionStatus;

export type SaveState = "saved" | "saving" | "offline-unsaved";

export interface ProjectProviderOptions {
  /** The service's base URL, e.g. `https://collab.example.com`. */
  url: string;
  /** A JWT, or a function asked at every (re)connect, so tokens can be refreshed. */
  token: string | (() => string | Promise<string>);
  projectId: string;
  doc: Y.Doc;
  /** Shared with editor bindings for cursors and selections; one is made when not given. */
  awareness?: Awareness;
  /** Connect at once (default true). */
  connect?: boolean;
  /** How long to wait for the server to answer `project:open` and acknowledged updates. */
  ackTimeoutMs?: number;
  /** Passed to socket.io-client (transports, reconnection delays, extra headers). */
  socketOptions?: Partial<ManagerOptions & SocketOptions>;
}

export interface ProjectProviderEvents {
  status: (status: ProviderStatus) => void;
  /** True once the first full exchange with the server is done after each (re)connect. */
  synced: (synced: boolean) => void;
  presence: (online: OnlineUser[]) => void;
  /** The caller's role changed while the project is open (also `provider.role` and `provider.readOnly`). */
  role: (role: Role, readOnly: boolean) => void;
  /** The project was opened (again, after a reconnect): the caller's role in it. */
  open: (result: OpenResult) => void;
  /** The caller lost access (removed, or the project deleted); the provider stops. */
  "access-revoked": () => void;
  error: (error: WireError) => void;
  /**
   * Local edits the server refused for good were undone in the local document, so they never reach the shared
   * one later. READ_ONLY (edits while read-only are never sent, only undone) is told once per read-only spell.
   */
  reverted: (code: ErrorCode, edits: number) => void;
  /** `saveState` changed. */
  "save-state": (state: SaveState) => void;
  /** A connection attempt failed; UNAUTHORIZED and ORIGIN_REFUSED stop the provider, the others are retried. */
  "connection-error": (error: ConnectionError) => void;
  /** `unsyncedChanges` changed: 0 means everything local is stored on the server ("Saved"). */
  unsynced: (count: number) => void;
}
