import type {
  ApiErrorBody,
  ChatPage,
  MemberView,
  PresenceView,
  ProjectDetails,
  ProjectPage,
  ProjectSummary,
  PublicUser,
  Session,
} from "../protocol/api.js";
import type { ErrorCode, Role } from "../protocol/events.js";
import { tokenTimes } from "./token-renewal.js";

/** A failed call: the service's `code` (UNREACHABLE when no answer came), its message, and the HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode | "UNREACHABLE",
    message: string,
    /** 0 when the service could not be reached. */
    readonly status: number,
    /** What else the service said (say, the projects that block an account's deletion). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface ApiClientOptions {
  /** The service's base URL, e.g. `https://collab.example.com`; "" for the page's own origin. */
  url: string;
  /** The token to start with (one kept from an earlier visit, say); register, login and refresh replace it. */
  token?: string;
  /** Another fetch (a test's, a polyfill's); the global one by default. */
  fetch?: typeof fetch;
}

/** A token is renewed when less than this much of its life is left (or half of it, for short-lived ones). */
const RENEW_WITHIN_MS = 120_000;

/**
 * The service's HTTP API, typed: accounts, projects and members. Every
 * failure is an `ApiError` carrying the service's error code. It keeps the
 * session's token (`token`, `user`); `freshToken` is what a provider's or
 * notifications client's `token` function should return, so one session
 * renews once for everything that uses it.
 */
export class ApiClient {
  token: string | undefined;
  /** The signed-in user, once register, login, refresh or me() told it. */
  user: PublicUser | undefined;
  private readonly base: string;
  private readonly fetcher: typeof fetch;
  private renewing: Promise<string> | undefined;

  constructor(options: ApiClientOptions) {
    this.base = options.url.replace(/\/$/, "");
    this.token = options.token;
    // Bound: a browser's fetch called as a method of another object throws "Illegal invocation".
    this.fetcher = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  register(input: { email: string; password: string; name: string }): Promise<Session> {
    return this.startSession("/api/auth/register", input);
  }

  login(input: { email: string; password: string }): Promise<Session> {
    return this.startSession("/api/auth/login", input);
  }

  /** A new token for the same user, valid from now on. */
  refresh(): Promise<Session> {
    return this.startSession("/api/auth/refresh");
  }

  /** The token in use while more than two minutes of it are left, else a refreshed one (one refresh at a time). */
  async freshToken(): Promise<string> {
    const token = this.token;
    if (!token) throw new ApiError("UNAUTHORIZED", "not signed in", 401);
    const times = tokenTimes(token);
    const threshold = times ? Math.min(RENEW_WITHIN_MS, ((times.expiresAt - times.issuedAt) * 1000) / 2) : 0;
    if (!times || times.expiresAt * 1000 - Date.now() > threshold) return token;
    this.renewing ??= this.refresh()
      .then((session) => session.token)
      .finally(() => {
        this.renewing = undefined;
      });
    return this.renewing;
  }

  /** Forgets the session (tokens are not revocable: it simply stops being sent). */
  signOut(): void {
    this.token = undefined;
    this.user = undefined;
  }

  async me(): Promise<PublicUser> {
    const { user } = await this.call<{ user: PublicUser }>("GET", "/api/me");
    this.user = user;
    return user;
  }

  /** Refused with CONFLICT (`details.projects`) while the user is a project's only owner. */
  async deleteAccount(password: string): Promise<void> {
    await this.call("DELETE", "/api/me", { password });
    this.signOut();
  }

  listProjects(options: { limit?: number; cursor?: string } = {}): Promise<ProjectPage> {
    const query = new URLSearchParams();
    if (options.limit !== undefined) query.set("limit", String(options.limit));
    if (options.cursor !== undefined) query.set("cursor", options.cursor);
    const suffix = query.toString() ? `?${query}` : "";
    return this.call<ProjectPage>("GET", `/api/projects${suffix}`);
  }

  async createProject(name: string): Promise<ProjectSummary> {
    return (await this.call<{ project: ProjectSummary }>("POST", "/api/projects", { name })).project;
  }

  async getProject(projectId: string): Promise<ProjectDetails> {
    return (await this.call<{ project: ProjectDetails }>("GET", projectPath(projectId))).project;
  }

  async renameProject(projectId: string, name: string): Promise<ProjectSummary> {
    return (await this.call<{ project: ProjectSummary }>("PATCH", projectPath(projectId), { name })).project;
  }

  async deleteProject(projectId: string): Promise<void> {
    await this.call("DELETE", projectPath(projectId));
  }

  /** NOT_FOUND for an email with no account, CONFLICT for someone already a member. */
  async addMember(projectId: string, email: string, role: Role): Promise<MemberView> {
    const path = `${projectPath(projectId)}/members`;
    return (await this.call<{ member: MemberView }>("POST", path, { email, role })).member;
  }

  /** CONFLICT when it would leave the project without an owner. */
  async changeRole(projectId: string, userId: string, role: Role): Promise<MemberView> {
    const path = `${projectPath(projectId)}/members/${encodeURIComponent(userId)}`;
    return (await this.call<{ member: MemberView }>("PATCH", path, { role })).member;
  }

  async removeMember(projectId: string, userId: string): Promise<void> {
    await this.call("DELETE", `${projectPath(projectId)}/members/${encodeURIComponent(userId)}`);
  }

  /** Removes the caller from the project; CONFLICT for its last owner. */
  async leaveProject(projectId: string): Promise<void> {
    const user = this.user ?? (await this.me());
    await this.removeMember(projectId, user.id);
  }

  /** Who is online, and how many sockets the room holds (owners: each member's tabs too). */
  presence(projectId: string): Promise<PresenceView> {
    return this.call<PresenceView>("GET", `${projectPath(projectId)}/presence`);
  }

  /** A page of the project's chat, oldest first: the newest, or the one before `before`. */
  messages(projectId: string, options: { before?: string; limit?: number } = {}): Promise<ChatPage> {
    const query = new URLSearchParams();
    if (options.before !== undefined) query.set("before", options.before);
    if (options.limit !== undefined) query.set("limit", String(options.limit));
    const suffix = query.toString() ? `?${query}` : "";
    return this.call<ChatPage>("GET", `${projectPath(projectId)}/messages${suffix}`);
  }

  /** The document's whole Yjs state (`Y.applyUpdate` it into a Y.Doc). */
  async document(projectId: string): Promise<Uint8Array> {
    const response = await this.send("GET", `${projectPath(projectId)}/document`);
    return new Uint8Array(await response.arrayBuffer());
  }

  private async startSession(path: string, body?: unknown): Promise<Session> {
    const session = await this.call<Session>("POST", path, body);
    this.token = session.token;
    this.user = session.user;
    return session;
  }

  private async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.send(method, path, body);
    return (response.status === 204 ? undefined : await response.json()) as T;
  }

  private async send(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await this.fetcher(`${this.base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new ApiError("UNREACHABLE", `the service could not be reached: ${(error as Error).message}`, 0);
    }
    if (response.ok) return response;
    throw await errorFrom(response);
  }
}

function projectPath(projectId: string): string {
  return `/api/projects/${encodeURIComponent(projectId)}`;
}

async function errorFrom(response: Response): Promise<ApiError> {
  try {
    const { error } = (await response.json()) as ApiErrorBody;
    const { code, message, ...details } = error;
    return new ApiError(code, message, response.status, details);
  } catch {
    // Not the service's JSON (a proxy's error page, say).
    const code = response.status === 429 ? "RATE_LIMITED" : response.status >= 500 ? "UNAVAILABLE" : "INTERNAL";
    return new ApiError(code, `HTTP ${response.status}`, response.status);
  }
}
