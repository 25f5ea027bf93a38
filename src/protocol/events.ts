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

export interface OnlineUser {
  userId: string;
  name: string;
}

export interface WireError {
  code: ErrorCode;
  message: string;
}

export type AckResponse<Result extends object = object> = ({ ok: true } & Result) | { ok: false; error: WireError };

export interface OpenResult {
  project: { id: string; name: string };
  role: Role;
  /** The role may not change the document: changes are refused with READ_ONLY. */
  readOnly: boolean;
  online: OnlineUser[];
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

export interface ProjectsClientToServerEvents {
  "project:open": (projectId: string, ack: (response: AckResponse<OpenResult>) => void) => void;
  "project:close": (projectId: string, ack: (response: AckResponse) => void) => void;
  /** One y-protocols sync message (step 1, step 2 or update), unwrapped; binary or base64 text. */
  "yjs:sync": (projectId: string, message: WireBytes, ack?: (response: AckResponse) => void) => void;
  /** One y-protocols awareness update; binary or base64 text. */
  "yjs:awareness": (projectId: string, update: WireBytes) => void;
  /** A fresh token for the same user: the socket lives on past the old one's expiry. */
  "auth:refresh": (token: string, ack: (response: AckResponse<{ expiresAt: number }>) => void) => void;
}

export interface ProjectsServerToClientEvents {
  presence: (payload: PresencePayload) => void;
  "project:access-revoked": (payload: AccessRevokedPayload) => void;
  "project:role": (payload: RolePayload) => void;
  /** The server sends base64 text, and binary past 64 KiB (see wire-bytes.ts): a client must accept both. */
  "yjs:sync": (projectId: string, message: WireBytes) => void;
  "yjs:awareness": (projectId: string, update: WireBytes) => void;
  "yjs:error": (payload: DocumentErrorPayload) => void;
}

export type NotificationType = "member-added" | "role-changed" | "member-removed" | "project-deleted";

export interface Notification {
  type: NotificationType;
  projectId: string;
  projectName: string;
  /** The recipient's new role, for member-added and role-changed. */
  role?: Role;
  /** ISO 8601. */
  at: string;
}

export interface NotificationsClientToServerEvents {
  "auth:refresh": (token: string, ack: (response: AckResponse<{ expiresAt: number }>) => void) => void;
}

export interface NotificationsServerToClientEvents {
  notification: (notification: Notification) => void;
}

/** What the server keeps on `socket.data`; serializable, so `fetchSockets()` sees it on every node. */
export interface SocketData {
  userId: string;
  name: string;
  /** Seconds since the epoch, from the token's `exp`. */
  tokenExpiresAt: number;
}

/**
 * The payload of a refused handshake's `connect_error`: UNAUTHORIZED wants a
 * new token; ORIGIN_REFUSED a page served from an allowed origin (CORS_ORIGINS);
 * UNAVAILABLE and INTERNAL are worth retrying with the same token.
 */
export interface ConnectErrorData {
  code: "UNAUTHORIZED" | "ORIGIN_REFUSED" | "UNAVAILABLE" | "INTERNAL";
}
