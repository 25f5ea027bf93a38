import type { Server as HttpServer } from "node:http";
import type { ServerOptions } from "socket.io";
import type { DocumentRegistry } from "../collab/registry.js";
import type { Presence } from "./presence.js";

/** The realtime layer as the composition root sees it: what it is built from, and what it offers. */
export interface RealtimeOptions {
  /** Browser origins allowed; undefined allows only the service's own origin. */
  corsOrigins: string[] | undefined;
  maxMessageBytes: number;
  /** Bytes waiting to be written to one client before it is disconnected as a slow reader. */
  sendBufferMaxBytes: number;
  /** How long a `yjs:sync` ack waits for the store before answering UNAVAILABLE. */
  ackTimeoutMs: number;
  /** Socket.IO's adapter for a cluster (Redis); the in-memory one on a single node. */
  adapter?: ServerOptions["adapter"];
  /** Sockets one project's room may hold; opening a full one is refused with ROOM_FULL. */
  maxSocketsPerProject: number;
  /** This node's id: on every socket's data, in admin answers. */
  node: string;
  /** Accounts (lowercase emails) allowed on /admin. */
  adminEmails: ReadonlySet<string>;
}

export interface Realtime {
  presence: Presence;
  documents: DocumentRegistry;
  /** Serves Socket.IO on the HTTP server. */
  attach(httpServer: HttpServer): void;
  /**
   * After the database came back: evicts everyone from loaded documents whose
   * project no longer exists there, and drops those documents unstored.
   */
  evictVanishedProjects(): Promise<void>;
  /** Re-checks the access of this node's sockets (after this node lost Redis, changes may have passed it by). */
  recheckAccess(): Promise<void>;
  /** Disconnects every socket of the user, in both namespaces and on every node (a deleted account). */
  disconnectUser(userId: string): void;
  /** This node's sockets per namespace and project rooms with a socket here: what metrics read at scrape time. */
  counts(): { sockets: Record<string, number>; projectRooms: number };
  /** Refuses new connections and opens, then disconnects every socket here spread over `withinMs`. */
  drain(withinMs: number): Promise<void>;
  readonly draining: boolean;
  /** Disconnects every socket, stops the HTTP server, and stores every loaded document. */
  close(): Promise<void>;
}
