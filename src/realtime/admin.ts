import { z } from "zod";
import type { AccountService } from "../auth/accounts.js";
import type { TokenService } from "../auth/tokens.js";
import type { DocumentRegistry } from "../collab/registry.js";
import { AppError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { AccessPolicy } from "../projects/access.js";
import type { AdminNode, AdminRoom, AdminRoomDetail, AdminRoomSocket } from "../protocol/events.js";
import { answer, splitAck } from "./acks.js";
import type { ExpirySchedule } from "./expiry-schedule.js";
import { refusal, tokenRefreshListener } from "./handshake.js";
import { parseProjectId } from "./project-rooms.js";
import { projectIdOfRoom, projectRoom } from "./rooms.js";
import type { AdminNamespace, AdminSocket, ProjectsNamespace } from "./types.js";

const MAX_PAGE_SIZE = 200;

const pageInput = z
  .object({
    page: z.number().int().min(1).max(1_000_000).default(1),
    limit: z.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
  })
  .strict();
const userIdInput = z.string().regex(/^[0-9a-f]{24}$/, "userId must be an account id");
const drainInput = z.object({ node: z.string().min(1).max(64).optional() }).strict();

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new AppError("VALIDATION", parsed.error.issues[0]?.message ?? "invalid input");
  return parsed.data;
}

/** What one node says of itself, and of one document, when asked by an admin on any node. */
export interface NodeReport {
  self(): Promise<AdminNode>;
  document(projectId: string): { node: string; bytes: number; connections: number } | undefined;
}

export interface AdminDeps {
  admin: AdminNamespace;
  /** Ends each socket when its token expires. */
  expiries: ExpirySchedule;
  tokens: TokenService;
  projects: ProjectsNamespace;
  accounts: AccountService;
  policy: AccessPolicy;
  documents: Pick<DocumentRegistry, "logLength">;
  adminEmails: ReadonlySet<string>;
  node: string;
  /** A cluster: the other nodes are asked through the adapter's server-side emits. */
  clustered: boolean;
  report: NodeReport;
  drain(): void;
  disconnectUser(userId: string): void;
  logger: Logger;
}

/**
 * The `/admin` namespace, for the instance's administrators (ADMIN_EMAILS):
 * rooms and sockets seen through the adapter (every node's, not a local
 * map), disconnecting a user everywhere, listing and draining nodes. Every
 * action is logged with the administrator's id.
 */
export class AdminChannel {
  private readonly logger: Logger;

  constructor(private readonly deps: AdminDeps) {
    this.logger = deps.logger.child({ component: "admin" });
    const { admin } = deps;
    // Every node answers the others' questions about itself.
    admin.on("admin:node", (ack) => {
      deps.report
        .self()
        .then(ack, (error: unknown) => this.logger.error({ err: error }, "reporting on this node failed"));
    });
    admin.on("admin:document", (projectId, ack) => ack(deps.report.document(projectId) ?? null));
    admin.on("admin:drain", (node) => {
      if (node !== deps.node) return;
      this.logger.info({ node }, "draining at another node's request");
      deps.drain();
    });
  }

  /** Namespace middleware, after authentication: only administrators get in. */
  readonly requireAdmin = (socket: AdminSocket, next: (error?: Error) => void): void => {
    this.deps.accounts.findById(socket.data.userId).then(
      (user) =>
        next(
          user && this.deps.adminEmails.has(user.email.toLowerCase())
            ? undefined
            : refusal("FORBIDDEN", "administrators only"),
        ),
      () => next(refusal("UNAVAILABLE", "service unavailable")),
    );
  };

  attach(socket: AdminSocket): void {
    const adminId = socket.data.userId;
    const handle = (event: string, run: (args: unknown[]) => Promise<object>) => {
      socket.on(event as "node:list", (...raw: unknown[]) => {
        const { args, ack } = splitAck(raw);
        answer(ack, run(args), this.logger);
      });
    };
    handle("rooms:list", async ([input]) => this.listRooms(parse(pageInput, input ?? {})));
    handle("room:inspect", async ([projectId]) => ({ room: await this.inspect(parseProjectId(projectId)) }));
    handle("user:disconnect", async ([userId]) => {
      const target = parse(userIdInput, userId);
      this.logger.info({ adminId, action: "user:disconnect", userId: target }, "administrator disconnects a user");
      this.deps.disconnectUser(target);
      return {};
    });
    handle("node:list", async () => ({ nodes: await this.nodes() }));
    handle("node:drain", async ([input]) => {
      const node = parse(drainInput, input ?? {}).node ?? this.deps.node;
      const here = node === this.deps.node;
      if (!here && !(await this.nodes()).some((known) => known.node === node)) {
        throw new AppError("NOT_FOUND", "no such node");
      }
      this.logger.info({ adminId, action: "node:drain", node }, "administrator drains a node");
      if (here) this.deps.drain();
      else this.deps.admin.serverSideEmit("admin:drain", node);
      return { node };
    });
  }

  private async listRooms({ page, limit }: { page: number; limit: number }) {
    const sockets = await this.deps.projects.fetchSockets();
    const rooms = new Map<string, { sockets: number; users: Set<string> }>();
    for (const socket of sockets) {
      for (const room of socket.rooms) {
        const projectId = projectIdOfRoom(room);
        if (!projectId) continue;
        const entry = rooms.get(projectId) ?? { sockets: 0, users: new Set() };
        entry.sockets++;
        entry.users.add(socket.data.userId);
        rooms.set(projectId, entry);
      }
    }
    const ordered = [...rooms]
      .map(([projectId, { sockets, users }]) => ({ projectId, sockets, users: users.size }))
      .sort((a, b) => b.sockets - a.sockets || b.users - a.users || a.projectId.localeCompare(b.projectId))
      .slice((page - 1) * limit, page * limit);
    const names = await this.deps.policy.existing(ordered.map((room) => room.projectId));
    const listed: AdminRoom[] = ordered.map((room) => ({ ...room, projectName: names.get(room.projectId) }));
    return { rooms: listed, total: rooms.size, page, limit };
  }

  private async inspect(projectId: string): Promise<AdminRoomDetail> {
    const [sockets, names, updateLogLength, loaded] = await Promise.all([
      this.deps.projects.in(projectRoom(projectId)).fetchSockets(),
      this.deps.policy.existing([projectId]),
      this.deps.documents.logLength(projectId),
      this.askNodes<{ node: string; bytes: number; connections: number } | null>(
        "admin:document",
        this.deps.report.document(projectId) ?? null,
        projectId,
      ),
    ]);
    const userIds = [...new Set(sockets.map((socket) => socket.data.userId))];
    const roles = new Map(
      await Promise.all(
        userIds.map(
          async (userId) => [userId, (await this.deps.policy.checkProjectAccess(userId, projectId))?.role] as const,
        ),
      ),
    );
    const listed: AdminRoomSocket[] = sockets.map((socket) => ({
      socketId: socket.id,
      userId: socket.data.userId,
      name: socket.data.name,
      node: socket.data.node,
      connectedSince: new Date(socket.handshake.issued).toISOString(),
      role: roles.get(socket.data.userId),
    }));
    return {
      projectId,
      projectName: names.get(projectId),
      sockets: listed,
      loaded: loaded.filter((each) => each !== null),
      updateLogLength,
    };
  }

  private async nodes(): Promise<AdminNode[]> {
    const nodes = await this.askNodes<AdminNode>("admin:node", await this.deps.report.self());
    return nodes.sort((a, b) => a.node.localeCompare(b.node));
  }

  /**
   * This node's answer and every other node's. A node that does not answer
   * within the adapter's timeout (5 s) is left out, and the others' answers
   * are kept.
   */
  private askNodes<T>(event: "admin:node" | "admin:document", own: T, ...args: string[]): Promise<T[]> {
    if (!this.deps.clustered) return Promise.resolve([own]);
    return new Promise((resolve) => {
      const emit = this.deps.admin.serverSideEmit.bind(this.deps.admin) as (...all: unknown[]) => boolean;
      emit(event, ...args, (error: Error | null, others: T[]) => {
        if (error) this.logger.warn({ err: error, event }, "not every node answered an administrator's question");
        resolve([own, ...(others ?? [])]);
      });
    });
  }
}

type Middleware = (socket: AdminSocket, next: (error?: Error) => void) => void;

/** The namespace's middlewares (the others' first: draining, origin, token), then administrators only. */
export function setUpAdmin(admin: AdminNamespace, middlewares: Middleware[], deps: AdminDeps): AdminChannel {
  const channel = new AdminChannel(deps);
  const refreshToken = tokenRefreshListener(deps.tokens, deps.accounts, deps.logger);
  for (const middleware of middlewares) admin.use(middleware);
  admin.use(channel.requireAdmin);
  admin.on("connection", (socket) => {
    deps.expiries.watch(socket);
    socket.on("auth:refresh", refreshToken as never);
    channel.attach(socket);
  });
  return channel;
}
