import { Types } from "mongoose";
import { BatchedRead } from "../db/batched-read.js";
import { AppError } from "../errors.js";
import type { AccessPolicy, ProjectAccess } from "../projects/access.js";
import { decodeCursor, encodeCursor } from "../projects/cursor.js";
import type { ChatPage, MemberView } from "../protocol/api.js";
import type { ChatMessage } from "../protocol/events.js";
import type { ChatMessageModel, ChatMessageRecord } from "./chat-model.js";

export const MAX_TEXT_LENGTH = 4000;
export const MAX_CLIENT_MESSAGE_ID_LENGTH = 64;
/** What comes with a successful open. */
export const CHAT_HISTORY_ON_OPEN = 50;
export const MAX_HISTORY_PAGE = 100;

export type { ChatPage };

export interface Sent {
  message: ChatMessage;
  /** False for a retried send: the message was already stored, and told. */
  created: boolean;
  /** Members the text mentions (`@name`), the author excluded. */
  mentioned: string[];
  access: ProjectAccess;
}

export function toChatMessage(record: ChatMessageRecord): ChatMessage {
  return {
    id: record._id.toHexString(),
    projectId: record.projectId.toHexString(),
    author: { userId: record.authorId.toHexString(), name: record.authorName },
    ...(record.deleted ? {} : { text: record.text ?? "" }),
    createdAt: record.createdAt.toISOString(),
    ...(record.editedAt ? { editedAt: record.editedAt.toISOString() } : {}),
    ...(record.deleted ? { deleted: true as const } : {}),
  };
}

function cleanText(text: string): string {
  const trimmed = text.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_TEXT_LENGTH) {
    throw new AppError("VALIDATION", `text: 1 to ${MAX_TEXT_LENGTH} characters`);
  }
  return trimmed;
}

/** `@Ada Lovelace` mentions the member named so (case aside) when nothing word-like follows the name. */
export function mentionedMembers(text: string, members: MemberView[], authorId: string): string[] {
  const lower = text.toLowerCase();
  return members
    .filter((member) => member.userId !== authorId && member.name.length > 0)
    .filter((member) => {
      const needle = `@${member.name.toLowerCase()}`;
      for (let at = lower.indexOf(needle); at !== -1; at = lower.indexOf(needle, at + 1)) {
        const next = lower.charAt(at + needle.length);
        if (!/[\p{L}\p{N}_]/u.test(next)) return true;
      }
      return false;
    })
    .map((member) => member.userId);
}

const isDuplicateKey = (error: unknown) => (error as { code?: unknown })?.code === 11000;

/**
 * A project's chat: every member may read and write (viewers too); authors
 * edit and delete their own messages, owners delete anyone's. Every call
 * checks membership against the database, wherever it comes from.
 */
export class ChatService {
  /** Opens of one project at once (a crowd, a reconnecting team) share a read of its last page. */
  private readonly latestPages = new BatchedRead<string, ChatPage>(
    async (projectIds) =>
      new Map(
        await Promise.all(
          projectIds.map(async (id) => [id, await this.page(id, { limit: CHAT_HISTORY_ON_OPEN })] as const),
        ),
      ),
    (projectId) => projectId,
  );

  constructor(
    private readonly messages: ChatMessageModel,
    private readonly policy: AccessPolicy,
    /** The project's members with their names, for resolving mentions. */
    private readonly members: (userId: string, projectId: string) => Promise<MemberView[]>,
  ) {}

  async send(
    author: { userId: string; name: string },
    projectId: string,
    input: { text: string; clientMessageId: string },
  ): Promise<Sent> {
    const access = await this.policy.authorize(author.userId, projectId, "read");
    const text = cleanText(input.text);
    const key = {
      projectId: new Types.ObjectId(access.projectId),
      authorId: new Types.ObjectId(author.userId),
      clientMessageId: input.clientMessageId,
    };
    let record: ChatMessageRecord;
    let created = true;
    try {
      record = (await this.messages.create({ ...key, authorName: author.name, text })).toObject();
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const existing = await this.messages.findOne(key).lean<ChatMessageRecord>();
      if (!existing) throw error;
      record = existing;
      created = false;
    }
    const mentioned =
      created && text.includes("@")
        ? mentionedMembers(text, await this.members(author.userId, access.projectId), author.userId)
        : [];
    return { message: toChatMessage(record), created, mentioned, access };
  }

  async edit(userId: string, projectId: string, messageId: string, text: string): Promise<ChatMessage> {
    const access = await this.policy.authorize(userId, projectId, "read");
    const cleaned = cleanText(text);
    const updated = await this.messages
      .findOneAndUpdate(
        { ...this.byId(access, messageId), authorId: new Types.ObjectId(userId), deleted: false },
        { $set: { text: cleaned, editedAt: new Date() } },
        { returnDocument: "after" },
      )
      .lean<ChatMessageRecord>();
    if (!updated) throw await this.refusal(access, messageId, "only its author may edit a message");
    return toChatMessage(updated);
  }

  async delete(userId: string, projectId: string, messageId: string): Promise<ChatMessage> {
    const access = await this.policy.authorize(userId, projectId, "read");
    const mayDeleteAny = access.role === "owner";
    const updated = await this.messages
      .findOneAndUpdate(
        { ...this.byId(access, messageId), ...(mayDeleteAny ? {} : { authorId: new Types.ObjectId(userId) }) },
        { $set: { text: null, deleted: true } },
        { returnDocument: "after" },
      )
      .lean<ChatMessageRecord>();
    if (!updated) throw await this.refusal(access, messageId, "only its author or an owner may delete a message");
    return toChatMessage(updated);
  }

  /** The page of messages before `before` (the newest when absent), oldest first. */
  async history(userId: string, projectId: string, options: { before?: string; limit: number }): Promise<ChatPage> {
    const access = await this.policy.authorize(userId, projectId, "read");
    return this.page(access.projectId, options);
  }

  /** For a socket whose open just passed the access check. */
  async latest(projectId: string): Promise<ChatPage> {
    return (await this.latestPages.load(projectId)) ?? { messages: [], before: null };
  }

  async removeProject(projectId: string): Promise<void> {
    await this.messages.deleteMany({ projectId: new Types.ObjectId(projectId) });
  }

  private async page(projectId: string, options: { before?: string; limit: number }): Promise<ChatPage> {
    const filter: Record<string, unknown> = { projectId: new Types.ObjectId(projectId) };
    if (options.before) {
      const { createdAt, id } = decodeCursor(options.before);
      filter.$or = [{ createdAt: { $lt: createdAt } }, { createdAt, _id: { $lt: id } }];
    }
    // One more than asked: whether an older page exists, without counting.
    const newestFirst = await this.messages
      .find(filter)
      .sort({ createdAt: -1, _id: -1 })
      .limit(options.limit + 1)
      .lean<ChatMessageRecord[]>();
    const page = newestFirst.slice(0, options.limit);
    const oldest = page.at(-1);
    return {
      messages: page.reverse().map(toChatMessage),
      before: newestFirst.length > options.limit && oldest ? encodeCursor(oldest.createdAt, oldest._id) : null,
    };
  }

  private byId(access: ProjectAccess, messageId: string) {
    if (!Types.ObjectId.isValid(messageId) || !/^[0-9a-f]{24}$/i.test(messageId)) {
      throw new AppError("NOT_FOUND", "message not found");
    }
    return { _id: new Types.ObjectId(messageId), projectId: new Types.ObjectId(access.projectId) };
  }

  /** NOT_FOUND for a message of no such id in this project (or already deleted, for an edit), FORBIDDEN otherwise. */
  private async refusal(access: ProjectAccess, messageId: string, forbidden: string): Promise<AppError> {
    const found = await this.messages.findOne(this.byId(access, messageId), { deleted: 1 }).lean<ChatMessageRecord>();
    if (!found) return new AppError("NOT_FOUND", "message not found");
    if (found.deleted) return new AppError("CONFLICT", "the message is deleted");
    return new AppError("FORBIDDEN", forbidden);
  }
}
