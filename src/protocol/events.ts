/**
 * The realtime wire contract: namespaces, event names and payload types,
 * shared by the server and the client provider. docs/PROTOCOL.md describes
 * the same contract for clients written in other languages.
 */
import type { ErrorCode } from "../errors.js";
import type { Role } from "../projects/roles.js";
import type { WireBytes } from "./wire-bytes.js";

export type { ErrorCode, Role, WireBytes };

export const PROJECTS_NAMESPACE = "/projects";
export const NOTIFICATIONS_NAMESPACE = "/notifications";
/** Instance administrators only (ADMIN_EMAILS). */
export const ADMIN_NAMESPACE = "/admin";

export interface OnlineUser {
  userId: string;
  name: string;
}

export interface WireError {
  code: ErrorCode;
  message: string;
}

export type AckResponse<Result extends object = object> = ({ ok: true } & Result) | { ok: false; error: WireError };

/** What a client may send with `project:open`. */
export interface OpenOptions {
  /**
   * The client's state vector (`Y.encodeStateVector`): the ack then carries
   * the sync handshake's server half (`OpenResult.sync`), one round trip
   * sooner than a sync step 1 sent after the ack would get it.
   */
  stateVector?: WireBytes;
}

/** The server's half of the sync handshake, in the ack of an open that sent its state vector. */
export interface OpenSync {
  /** What the client lacks (a sync step 2's update): applying it makes the client synced. */
  update: WireBytes;
  /** The server's state vector (a sync step 1's): the client answers with a step 2 of what the server lacks. */
  stateVector: WireBytes;
}

export interface OpenResult {
  project: { id: string; name: string };
  role: Role;
  /** The role may not change the document: changes are refused with READ_ONLY. */
  readOnly: boolean;
  online: OnlineUser[];
  /** Present when the open sent `stateVector`; otherwise the server's sync step 1 follows the ack. */
  sync?: OpenSync;
  /** With `sync`: the awareness states in the room (one awareness update), when anyone is there. */
  awareness?: WireBytes;
}

/** The caller's role in an open project changed (a demotion or promotion by an owner). */
export interface RolePayload {
  projectId: string;
  role: Role;
  readOnly: boolean;
}

export interface PresencePayload {
  projectId: string;
  online: OnlineUser[];
}

export interface AccessRevokedPayload {
  projectId: string;
}

export interface DocumentErrorPayload {
  projectId: string;
  code: ErrorCode;
}

/** One chat message of a project. Text is plain text: render it as text, never as HTML. */
export interface ChatMessage {
  id: string;
  projectId: string;
  /** The name as it was when the message was sent. */
  author: { userId: string; name: string };
  /** Absent once deleted. */
  text?: string;
  /** ISO 8601. */
  createdAt: string;
  editedAt?: string;
  /** A tombstone: the message was deleted, its place in the thread stays. */
  deleted?: true;
}

export interface ChatSendInput {
  /** 1 to 4,000 characters once trimmed. */
  text: string;
  /** The client's own id for this message (at most 64 characters): a retried send with it is stored once. */
  clientMessageId: string;
}

export interface ChatHistoryPayload {
  projectId: string;
  /** Oldest first: the last CHAT_HISTORY_ON_OPEN messages. */
  messages: ChatMessage[];
  /** For GET /api/projects/:id/messages?before=…, the page before these; null when there is none. */
  before: string | null;
}

export interface ChatTypingPayload {
  projectId: string;
  userId: string;
  name: string;
}

export interface ProjectsClientToServerEvents {
  "project:open": (
    projectId: string,
    ...rest:
      | [options: OpenOptions, ack: (response: AckResponse<OpenResult>) => void]
      | [ack: (response: AckResponse<OpenResult>) => void]
  ) => void;
  "project:close": (projectId: string, ack: (response: AckResponse) => void) => void;
  /** One y-protocols sync message (step 1, step 2 or update), unwrapped; binary or base64 text. */
  "yjs:sync": (projectId: string, message: WireBytes, ack?: (response: AckResponse) => void) => void;
  /** One y-protocols awareness update; binary or base64 text. */
  "yjs:awareness": (projectId: string, update: WireBytes) => void;
  /** A fresh token for the same user: the socket lives on past the old one's expiry. */
  "auth:refresh": (token: string, ack: (response: AckResponse<{ expiresAt: number }>) => void) => void;
  "chat:send": (
    projectId: string,
    input: ChatSendInput,
    ack: (response: AckResponse<{ message: ChatMessage }>) => void,
  ) => void;
  "chat:edit": (
    projectId: string,
    input: { messageId: string; text: string },
    ack: (response: AckResponse<{ message: ChatMessage }>) => void,
  ) => void;
  "chat:delete": (
    projectId: string,
    input: { messageId: string },
    ack: (response: AckResponse<{ message: ChatMessage }>) => void,
  ) => void;
  "chat:typing": (projectId: string) => void;
}

/**
 * This node is going away (a deploy, an operator's drain): the socket is
 * disconnected within `withinMs`. Reconnect (a load balancer sends you to
 * another node); nothing unsaved is lost, the next handshake's sync carries it.
 */
export interface DrainingPayload {
  withinMs: number;
}

export interface ProjectsServerToClientEvents {
  "server:draining": (payload: DrainingPayload) => void;
  /** A new message, to the whole room, its sender's sockets included. */
  "chat:message": (message: ChatMessage) => void;
  /** A message was edited or deleted (then a tombstone), to the whole room. */
  "chat:changed": (message: ChatMessage) => void;
  /** Right after a successful open's ack. */
  "chat:history": (payload: ChatHistoryPayload) => void;
  /** Someone else in the room is typing (volatile, at most once a second per user). */
  "chat:typing": (payload: ChatTypingPayload) => void;
  presence: (payload: PresencePayload) => void;
  "project:access-revoked": (payload: AccessRevokedPayload) => void;
  "project:role": (payload: RolePayload) => void;
  /** The server sends base64 text, and binary past 64 KiB (4 KiB to one socket alone; see wire-bytes.ts): a client must accept both. */
  "yjs:sync": (projectId: string, message: WireBytes) => void;
  "yjs:awareness": (projectId: string, update: WireBytes) => void;
  "yjs:error": (payload: DocumentErrorPayload) => void;
}

export type NotificationType = "member-added" | "role-changed" | "member-removed" | "project-deleted" | "mentioned";

export interface Notification {
  type: NotificationType;
  projectId: string;
  projectName: string;
  /** The recipient's new role, for member-added and role-changed. */
  role?: Role;
  /** For mentioned: the message, and who wrote it. */
  messageId?: string;
  by?: { userId: string; name: string };
  /** ISO 8601. */
  at: string;
}

export interface NotificationsClientToServerEvents {
  "auth:refresh": (token: string, ack: (response: AckResponse<{ expiresAt: number }>) => void) => void;
}

export interface NotificationsServerToClientEvents {
  notification: (notification: Notification) => void;
  "server:draining": (payload: DrainingPayload) => void;
}

/** An open project room, cluster-wide, as `rooms:list` shows it. */
export interface AdminRoom {
  projectId: string;
  /** Undefined when the project is gone from the database (its room is on its way out). */
  projectName: string | undefined;
  sockets: number;
  users: number;
}

export interface AdminRoomSocket {
  socketId: string;
  userId: string;
  name: string;
  /** The node the socket is connected to. */
  node: string;
  /** ISO 8601. */
  connectedSince: string;
  /** The member's role now; undefined if they are no longer a member (their eviction is under way). */
  role: Role | undefined;
}

export interface AdminRoomDetail {
  projectId: string;
  projectName: string | undefined;
  sockets: AdminRoomSocket[];
  /** Each node holding the document in memory, with its encoded size there (an upper bound between measurements). */
  loaded: Array<{ node: string; bytes: number; connections: number }>;
  /** Records in the document's update log (what compaction has not folded into the snapshot yet). */
  updateLogLength: number;
}

export interface AdminNode {
  node: string;
  sockets: { projects: number; notifications: number; admin: number };
  documents: number;
  /** Serving: its database (and Redis, in a cluster) answering, and not draining. */
  ready: boolean;
  draining: boolean;
}

export interface AdminClientToServerEvents {
  /** Every open project room on every node, largest first. */
  "rooms:list": (
    input: { page?: number; limit?: number },
    ack: (response: AckResponse<{ rooms: AdminRoom[]; total: number; page: number; limit: number }>) => void,
  ) => void;
  "room:inspect": (projectId: string, ack: (response: AckResponse<{ room: AdminRoomDetail }>) => void) => void;
  /** Disconnects every socket of the user, on every node and in every namespace. */
  "user:disconnect": (userId: string, ack: (response: AckResponse) => void) => void;
  /** Drains a node (this one when `node` is absent): it stops taking connections, hands its sockets off, exits. */
  "node:drain": (input: { node?: string }, ack: (response: AckResponse<{ node: string }>) => void) => void;
  "node:list": (ack: (response: AckResponse<{ nodes: AdminNode[] }>) => void) => void;
  "auth:refresh": (token: string, ack: (response: AckResponse<{ expiresAt: number }>) => void) => void;
}

export interface AdminServerToClientEvents {
  "server:draining": (payload: DrainingPayload) => void;
}

/** What the server keeps on `socket.data`; serializable, so `fetchSockets()` sees it on every node. */
export interface SocketData {
  userId: string;
  name: string;
  /** Seconds since the epoch, from the token's `exp`. */
  tokenExpiresAt: number;
  /** The node this socket is connected to. */
  node: string;
}

/**
 * The payload of a refused handshake's `connect_error`: UNAUTHORIZED wants a
 * new token; ORIGIN_REFUSED a page served from an allowed origin (CORS_ORIGINS);
 * UNAVAILABLE and INTERNAL are worth retrying with the same token; DRAINING
 * too, on a new connection (the node is going away: the server closes this
 * one). FORBIDDEN: /admin, for an account that is not an administrator.
 */
export interface ConnectErrorData {
  code: "UNAUTHORIZED" | "ORIGIN_REFUSED" | "UNAVAILABLE" | "INTERNAL" | "DRAINING" | "FORBIDDEN";
}
