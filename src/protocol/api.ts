/**
 * The HTTP API's payloads, shared by the server's routes and the client's
 * `ApiClient`; the README's API table lists the endpoints that carry them.
 * Every failure is `{ error: { code, message, ...details } }` (`ApiErrorBody`).
 */
import type { ErrorCode } from "../errors.js";
import type { Role } from "../projects/roles.js";
import type { ChatMessage, OnlineUser } from "./events.js";

export interface PublicUser {
  id: string;
  email: string;
  name: string;
  /** ISO 8601. */
  createdAt: string;
}

/** What register, login and refresh answer: a token for `Authorization: Bearer`, and whose it is. */
export interface Session {
  token: string;
  user: PublicUser;
}

export interface ProjectSummary {
  id: string;
  name: string;
  /** The caller's role. */
  role: Role;
  createdAt: string;
  updatedAt: string;
}

export interface MemberView {
  userId: string;
  name: string;
  role: Role;
}

export interface ProjectDetails extends ProjectSummary {
  members: MemberView[];
}

/** Newest first; `nextCursor` asks for the page after this one, null on the last. */
export interface ProjectPage {
  projects: ProjectSummary[];
  nextCursor: string | null;
}

/** GET /api/projects/:id/presence. */
export interface PresenceView {
  /** Each user once; `tabs` (their sockets in the room) only for an owner asking. */
  online: Array<OnlineUser & { tabs?: number }>;
  /** Sockets in the project's room, every node together. */
  sockets: number;
}

/** GET /api/projects/:id/messages: a page of chat, oldest first; `before` asks for the page before it. */
export interface ChatPage {
  messages: ChatMessage[];
  before: string | null;
}

export interface ApiErrorBody {
  error: { code: ErrorCode; message: string } & Record<string, unknown>;
}
