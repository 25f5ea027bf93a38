import { z } from "zod";
import { type ChatService, MAX_CLIENT_MESSAGE_ID_LENGTH, MAX_TEXT_LENGTH } from "../chat/chat-service.js";
import { RateLimiter } from "../collab/limits.js";
import { AppError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics/metrics.js";
import { answer, splitAck } from "./acks.js";
import type { OpenGreeting, OpenHook } from "./project-rooms.js";
import { openProjectOf, projectRoom, userRoom } from "./rooms.js";
import { LazySocketState, sharedListener } from "./shared-listeners.js";
import type { NotificationsNamespace, ProjectsNamespace, ProjectsSocket } from "./types.js";

/** Chat messages (sends, edits, deletes) a socket may send per second, in bursts of twice that. */
const CHAT_MESSAGES_PER_SECOND = 5;
/** Typing notices go out at most once a second per user. */
const TYPING_INTERVAL_MS = 1000;

const projectId = z.string().max(100);
const messageId = z.string().max(100);
// Length is checked after trimming, by the domain; this bounds what is parsed at all.
const text = z.string().max(MAX_TEXT_LENGTH * 2);
const sendArguments = z.tuple([
  projectId,
  z.object({ text, clientMessageId: z.string().min(1).max(MAX_CLIENT_MESSAGE_ID_LENGTH) }),
]);
const editArguments = z.tuple([projectId, z.object({ messageId, text })]);
const deleteArguments = z.tuple([projectId, z.object({ messageId })]);

function parse<T>(schema: z.ZodType<T>, args: unknown[], expected: string): T {
  const parsed = schema.safeParse(args);
  if (!parsed.success) throw new AppError("VALIDATION", `expected ${expected}`);
  return parsed.data;
}

/**
 * Chat on /projects, in the room the socket has open (no other access path):
 * `chat:send`, `chat:edit`, `chat:delete`, `chat:typing`, and the latest
 * messages after each open. Broadcasts go through the adapter, so every
 * node's sockets in the room hear them; a mention is a notification.
 */
export class ChatChannel implements OpenHook {
  private readonly lastTyped = new Map<string, number>();

  constructor(
    private readonly namespace: ProjectsNamespace,
    private readonly notifications: NotificationsNamespace,
    private readonly chat: ChatService,
    private readonly logger: Logger,
    private readonly metrics?: Metrics,
  ) {}

  /** After the open's ack: the latest messages. */
  async join(socket: ProjectsSocket, openedId: string): Promise<OpenGreeting> {
    return {
      afterAck: () => {
        this.chat.latest(openedId).then(
          (page) => {
            if (openProjectOf(socket) === openedId) socket.emit("chat:history", { projectId: openedId, ...page });
          },
          (error: unknown) => this.logger.warn({ err: error, projectId: openedId }, "loading chat history failed"),
        );
      },
    };
  }

  private readonly limiters = new LazySocketState<ProjectsSocket, RateLimiter>(
    () => new RateLimiter(CHAT_MESSAGES_PER_SECOND),
  );

  private readonly listeners = {
    "chat:send": this.chatEvent(async (socket, args) => {
      const [id, input] = parse(sendArguments, args, "(projectId, { text, clientMessageId })");
      const sent = await this.chat.send(authorOf(socket), id, input);
      if (sent.created) {
        this.metrics?.chatMessages.inc();
        this.namespace.to(projectRoom(id)).emit("chat:message", sent.message);
        if (sent.mentioned.length > 0) {
          this.notifications.to(sent.mentioned.map(userRoom)).emit("notification", {
            type: "mentioned",
            projectId: id,
            projectName: sent.access.projectName,
            messageId: sent.message.id,
            by: authorOf(socket),
            at: sent.message.createdAt,
          });
        }
      }
      return { message: sent.message };
    }),
    "chat:edit": this.chatEvent(async (socket, args) => {
      const [id, input] = parse(editArguments, args, "(projectId, { messageId, text })");
      const message = await this.chat.edit(socket.data.userId, id, input.messageId, input.text);
      this.namespace.to(projectRoom(id)).emit("chat:changed", message);
      return { message };
    }),
    "chat:delete": this.chatEvent(async (socket, args) => {
      const [id, input] = parse(deleteArguments, args, "(projectId, { messageId })");
      const message = await this.chat.delete(socket.data.userId, id, input.messageId);
      this.namespace.to(projectRoom(id)).emit("chat:changed", message);
      return { message };
    }),
    "chat:typing": sharedListener<ProjectsSocket>((socket, raw) => this.typing(socket, raw)),
  };

  /** A chat event's listener: it runs for the project the socket has open, within the socket's rate, and answers. */
  private chatEvent(run: (socket: ProjectsSocket, args: unknown[]) => Promise<object>) {
    return sharedListener<ProjectsSocket>((socket, raw) => {
      const { args, ack } = splitAck(raw);
      const result = (async () => {
        if (typeof args[0] !== "string" || openProjectOf(socket) !== args[0]) {
          throw new AppError("NOT_OPEN", "this project is not open on this connection");
        }
        if (!this.limiters.of(socket).tryTake())
          throw new AppError("RATE_LIMITED", "too many chat messages; slow down");
        return run(socket, args);
      })();
      answer(ack, result, this.logger);
    });
  }

  attach(socket: ProjectsSocket): void {
    for (const [event, listener] of Object.entries(this.listeners)) socket.on(event as "chat:send", listener);
  }

  private typing(socket: ProjectsSocket, raw: unknown[]): void {
    const [id] = splitAck(raw).args;
    if (typeof id !== "string" || openProjectOf(socket) !== id) return;
    const { userId, name } = socket.data;
    const key = `${id}:${userId}`;
    const now = Date.now();
    if (now - (this.lastTyped.get(key) ?? 0) < TYPING_INTERVAL_MS) return;
    this.lastTyped.set(key, now);
    // Forgotten after the interval: the map holds only who typed in the last second.
    setTimeout(() => {
      if (this.lastTyped.get(key) === now) this.lastTyped.delete(key);
    }, TYPING_INTERVAL_MS).unref();
    socket.volatile.to(projectRoom(id)).emit("chat:typing", { projectId: id, userId, name });
  }
}

function authorOf(socket: ProjectsSocket) {
  return { userId: socket.data.userId, name: socket.data.name };
}
