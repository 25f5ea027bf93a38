import { z } from "zod";
import { AppError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { AccessPolicy, ProjectAccess } from "../projects/access.js";
import { can } from "../projects/roles.js";
import type { OpenResult } from "../protocol/events.js";
import type { AccessChanges } from "./access-changes.js";
import { answer, SerialQueue, splitAck, toWireError } from "./acks.js";
import type { Presence } from "./presence.js";
import { openProjectOf, projectRoom, writersRoom } from "./rooms.js";
import { LazySocketState, sharedListener } from "./shared-listeners.js";
import type { ProjectsSocket } from "./types.js";
import { wireBytes } from "./wire-schema.js";

/** Not a string is VALIDATION; a string that is no project of the caller's is NOT_FOUND, like an unknown id. */
const projectIdArgument = z.string({ error: "projectId must be a string" }).max(100, "projectId is too long");

export function parseProjectId(value: unknown): string {
  const parsed = projectIdArgument.safeParse(value);
  if (!parsed.success) throw new AppError("VALIDATION", parsed.error.issues[0]?.message ?? "invalid projectId");
  return parsed.data;
}

const notFound = () => new AppError("NOT_FOUND", "project not found");

/** What an open asks for besides the project, as hooks see it. */
export interface OpenRequest {
  /** The client's Yjs state vector (undecoded: the document layer checks it). */
  stateVector?: Uint8Array;
}

const openOptions = z
  .object({
    stateVector: wireBytes("stateVector must be binary data or base64 text").optional(),
  })
  .optional();

export function parseOpenOptions(value: unknown): OpenRequest {
  const parsed = openOptions.safeParse(value);
  if (!parsed.success) throw new AppError("VALIDATION", parsed.error.issues[0]?.message ?? "invalid open options");
  return parsed.data?.stateVector ? { stateVector: parsed.data.stateVector } : {};
}

/** Puts the socket in or out of the project's writers room to match its role. */
export function applyWriteAccess(
  socket: { join(room: string): unknown; leave(room: string): unknown },
  access: ProjectAccess,
) {
  if (can(access.role, "editDocument")) socket.join(writersRoom(access.projectId));
  else socket.leave(writersRoom(access.projectId));
}

/** What a hook adds to a successful open. */
export interface OpenGreeting {
  /**
   * Fields of the ack, made in the turn it is sent: the socket is in the room
   * already, and whatever the room hears before that turn is in them. Must
   * not throw (check the request in `join`): the open has succeeded by then.
   */
  inAck?(): Partial<OpenResult>;
  /** Messages that must follow the ack. */
  afterAck?(): void;
}

/** What else happens when a socket opens a project (the document channel, the chat): joins, and greets. */
export interface OpenHook {
  join(socket: ProjectsSocket, projectId: string, request: OpenRequest): Promise<OpenGreeting>;
}

interface Opened {
  result: OpenResult;
  greetings: OpenGreeting[];
}

/**
 * `project:open` and `project:close` on the /projects namespace. A socket has
 * at most one project open: opening another leaves the stale room first. Each
 * socket's opens and closes run one at a time, in the order sent.
 */
export class ProjectRooms {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly accessChanges: AccessChanges,
    private readonly presence: Presence,
    private readonly logger: Logger,
    /** Whether the account still exists: one deleted behind the service's back must not open anything. */
    private readonly accountExists: (userId: string) => Promise<boolean>,
    /** Sockets a project's room may hold (this node's and the others' as presence knows them). */
    private readonly maxSocketsPerProject: number,
    /** This node is draining: opens are refused (DRAINING), the client reconnects elsewhere. */
    private readonly draining: () => boolean,
    private readonly hooks: OpenHook[] = [],
  ) {}

  /** Each socket's opens and closes run in the order it sent them. */
  private readonly queues = new LazySocketState<ProjectsSocket, SerialQueue>(() => new SerialQueue());

  private readonly onOpen = sharedListener<ProjectsSocket>((socket, raw) => {
    const { args, ack } = splitAck(raw);
    this.queues
      .of(socket)
      .run(async () => {
        let opened: Opened;
        try {
          opened = await this.open(socket, args[0], args[1]);
        } catch (error) {
          ack?.({ ok: false, error: toWireError(error, this.logger) });
          return;
        }
        let result = opened.result;
        for (const greeting of opened.greetings) if (greeting.inAck) result = { ...result, ...greeting.inAck() };
        ack?.({ ok: true, ...result });
        this.logger.info(
          {
            socketId: socket.id,
            userId: socket.data.userId,
            projectId: opened.result.project.id,
            role: opened.result.role,
          },
          "project opened",
        );
        // Only after the ack: clients learn the project is open before its document traffic starts.
        for (const greeting of opened.greetings) greeting.afterAck?.();
      })
      .catch((error: unknown) => this.logger.error({ err: error }, "project:open failed after answering"));
  });

  private readonly onClose = sharedListener<ProjectsSocket>((socket, raw) => {
    const { args, ack } = splitAck(raw);
    answer(
      ack,
      this.queues.of(socket).run(() => this.close(socket, args[0])),
      this.logger,
    );
  });

  attach(socket: ProjectsSocket): void {
    socket.on("project:open", this.onOpen);
    socket.on("project:close", this.onClose);
  }

  private async open(socket: ProjectsSocket, rawProjectId: unknown, rawOptions: unknown): Promise<Opened> {
    const requested = parseProjectId(rawProjectId);
    const request = parseOpenOptions(rawOptions);
    if (this.draining()) throw new AppError("DRAINING", "this node is draining; reconnect");
    const { userId } = socket.data;
    const accessVersion = this.accessChanges.version;
    const [exists, access] = await Promise.all([
      this.accountExists(userId),
      this.policy.checkProjectAccess(userId, requested),
    ]);
    if (!exists) {
      // After the refusal's ack has gone out.
      setImmediate(() => socket.disconnect(true));
      throw new AppError("UNAUTHORIZED", "this account no longer exists");
    }
    if (!access) throw notFound();
    if (socket.disconnected) throw notFound();
    const { projectId } = access;
    const previous = openProjectOf(socket);
    if (previous === projectId) {
      applyWriteAccess(socket, access);
      return { result: this.openResult(access), greetings: [] };
    }

    socket.join(projectRoom(projectId));
    // Counted right after the join, in the same turn: on one node exactly this many sockets get in, whatever
    // the races between opens (across nodes, the others' counts are as fresh as their last presence message).
    if (this.presence.socketCount(projectId) > this.maxSocketsPerProject) {
      this.leave(socket, projectId);
      throw new AppError("ROOM_FULL", `this project's room is full (${this.maxSocketsPerProject} connections)`);
    }
    // A removal or demotion applied while the check was in flight found no socket here to evict or demote.
    const confirmed =
      this.accessChanges.version === accessVersion ? access : await this.policy.checkProjectAccess(userId, projectId);
    if (!confirmed || socket.disconnected) {
      this.leave(socket, projectId);
      throw notFound();
    }
    applyWriteAccess(socket, confirmed);
    const greetings: OpenGreeting[] = [];
    try {
      for (const hook of this.hooks) greetings.push(await hook.join(socket, projectId, request));
    } catch (error) {
      this.leave(socket, projectId);
      throw error;
    }
    if (previous) this.leave(socket, previous);
    // The room hears of the newcomer from Presence, which follows the room's membership.
    return { result: this.openResult(confirmed), greetings };
  }

  private openResult(access: ProjectAccess): OpenResult {
    return {
      project: { id: access.projectId, name: access.projectName },
      role: access.role,
      readOnly: !can(access.role, "editDocument"),
      online: this.presence.online(access.projectId),
    };
  }

  private async close(socket: ProjectsSocket, rawProjectId: unknown): Promise<object> {
    const projectId = parseProjectId(rawProjectId);
    if (openProjectOf(socket) === projectId) this.leave(socket, projectId);
    return {};
  }

  private leave(socket: ProjectsSocket, projectId: string): void {
    socket.leave(projectRoom(projectId));
    socket.leave(writersRoom(projectId));
  }
}
