import { ObservableV2 } from "lib0/observable";
import type { ChatPage } from "../protocol/api.js";
import type { AckResponse, ChatHistoryPayload, ChatMessage, ChatTypingPayload, WireError } from "../protocol/events.js";
import { retryDelayMs } from "./backoff.js";

/** Refusals worth sending again with the same client id: the message may yet be stored once. */
const RETRIED = new Set(["RATE_LIMITED", "UNAVAILABLE", "INTERNAL", "NOT_OPEN"]);
/** Typing notices leave at most this often (the server drops more). */
const TYPING_INTERVAL_MS = 1000;

type ChatReply = AckResponse<{ message: ChatMessage }>;

/** What the chat needs of its provider's connection. */
export interface ChatConnection {
  isOpen(): boolean;
  /** Resolves the next time the project is open (now, if it is). */
  whenOpen(): Promise<void>;
  /** Emits a chat event for the project with an ack; a timeout or a dropped connection answers `undefined`. */
  request(event: "chat:send" | "chat:edit" | "chat:delete", input: object): Promise<ChatReply | undefined>;
  typing(): void;
}

export interface ProjectChatEvents {
  /** A new message (anyone's, the caller's own included), in order of arrival. */
  message: (message: ChatMessage) => void;
  /** A message was edited, or deleted (it is then a tombstone: `deleted`, no text). */
  changed: (message: ChatMessage) => void;
  /** `messages` was replaced by the latest history (after each open). */
  history: (messages: ChatMessage[]) => void;
  typing: (who: ChatTypingPayload) => void;
}

/** A failed chat call, with the service's code. */
export class ChatError extends Error {
  constructor(
    readonly code: WireError["code"],
    message: string,
  ) {
    super(message);
    this.name = "ChatError";
  }
}

function randomId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * A project's chat, on the provider's connection (`provider.chat`). `messages`
 * holds what is known, oldest first: the latest history sent after each open,
 * the messages since, and older pages loaded with `loadOlder`. A send is
 * retried with its client id until the server answers for good, across
 * reconnects, so it is stored once whatever was lost on the way.
 */
export class ProjectChat extends ObservableV2<ProjectChatEvents> {
  messages: ChatMessage[] = [];
  /** The cursor of the page before `messages`; null when the start of the chat is loaded. */
  before: string | null = null;
  private lastTyping = 0;
  private stopped = false;

  constructor(
    readonly projectId: string,
    private readonly connection: ChatConnection,
  ) {
    super();
  }

  /** Resolves with the stored message; rejects with a ChatError for a refusal that retrying cannot cure. */
  async send(text: string): Promise<ChatMessage> {
    const clientMessageId = randomId();
    for (let attempt = 0; ; attempt++) {
      if (this.stopped) throw new ChatError("NOT_OPEN", "the provider was destroyed");
      await this.connection.whenOpen();
      const reply = await this.connection.request("chat:send", { text, clientMessageId });
      if (reply?.ok) {
        if (this.add(reply.message)) this.emit("message", [reply.message]);
        return reply.message;
      }
      if (reply && !RETRIED.has(reply.error.code)) throw new ChatError(reply.error.code, reply.error.message);
      await new Promise((resolve) => setTimeout(resolve, retryDelayMs(attempt)));
    }
  }

  edit(messageId: string, text: string): Promise<ChatMessage> {
    return this.change("chat:edit", { messageId, text });
  }

  delete(messageId: string): Promise<ChatMessage> {
    return this.change("chat:delete", { messageId });
  }

  /** Tells the room the caller is typing; call it on every keystroke, it sends at most once a second. */
  typing(): void {
    const now = Date.now();
    if (now - this.lastTyping < TYPING_INTERVAL_MS || !this.connection.isOpen()) return;
    this.lastTyping = now;
    this.connection.typing();
  }

  /** Loads the page before `messages` (with `fetchPage`: `(before) => api.messages(projectId, { before })`). */
  async loadOlder(fetchPage: (before: string) => Promise<ChatPage>): Promise<ChatMessage[]> {
    if (this.before === null) return [];
    const page = await fetchPage(this.before);
    const known = new Set(this.messages.map((message) => message.id));
    const older = page.messages.filter((message) => !known.has(message.id));
    this.messages = [...older, ...this.messages];
    this.before = page.before;
    return older;
  }

  /** The provider's connection delivered these. */
  receiveHistory({ messages, before }: ChatHistoryPayload): void {
    // Messages that arrived before the history (sent meanwhile) are kept after it.
    const inHistory = new Set(messages.map((message) => message.id));
    const newer = this.messages.filter(
      (message) => !inHistory.has(message.id) && message.createdAt >= (messages.at(-1)?.createdAt ?? ""),
    );
    this.messages = [...messages, ...newer];
    this.before = before;
    this.emit("history", [this.messages]);
  }

  receiveMessage(message: ChatMessage): void {
    if (this.add(message)) this.emit("message", [message]);
  }

  receiveChange(message: ChatMessage): void {
    const index = this.messages.findIndex((known) => known.id === message.id);
    if (index !== -1) this.messages[index] = message;
    this.emit("changed", [message]);
  }

  receiveTyping(who: ChatTypingPayload): void {
    this.emit("typing", [who]);
  }

  override destroy(): void {
    this.stopped = true;
    super.destroy();
  }

  /** Adds a message not known yet; the sender's own comes back both in its ack and as a broadcast. */
  private add(message: ChatMessage): boolean {
    if (this.messages.some((known) => known.id === message.id)) return false;
    this.messages.push(message);
    return true;
  }

  private async change(event: "chat:edit" | "chat:delete", input: object): Promise<ChatMessage> {
    const reply = await this.connection.request(event, input);
    if (!reply) throw new ChatError("UNAVAILABLE", "no answer from the server; try again");
    if (!reply.ok) throw new ChatError(reply.error.code, reply.error.message);
    this.receiveChange(reply.message);
    return reply.message;
  }
}
