import { type Connection, type Model, Schema, type Types } from "mongoose";

export interface ChatMessageRecord {
  _id: Types.ObjectId;
  projectId: Types.ObjectId;
  authorId: Types.ObjectId;
  /** As it was when sent: a member who leaves, or renames, keeps their messages as written. */
  authorName: string;
  /** Null once deleted (a tombstone keeps the message's place). */
  text: string | null;
  clientMessageId: string;
  createdAt: Date;
  editedAt?: Date;
  deleted: boolean;
}

const chatMessageSchema = new Schema<ChatMessageRecord>(
  {
    projectId: { type: Schema.Types.ObjectId, required: true },
    authorId: { type: Schema.Types.ObjectId, required: true },
    authorName: { type: String, required: true },
    text: { type: String, default: null },
    clientMessageId: { type: String, required: true },
    createdAt: { type: Date, required: true, default: () => new Date() },
    editedAt: { type: Date },
    deleted: { type: Boolean, required: true, default: false },
  },
  { strict: "throw" },
);
// A project's history, a page at a time, newest first.
chatMessageSchema.index({ projectId: 1, createdAt: 1, _id: 1 });
// A retried send (same author, same client id) is stored once.
chatMessageSchema.index({ projectId: 1, authorId: 1, clientMessageId: 1 }, { unique: true });

export type ChatMessageModel = Model<ChatMessageRecord>;

export function defineChatMessageModel(connection: Connection): ChatMessageModel {
  return connection.model<ChatMessageRecord>("ChatMessage", chatMessageSchema);
}
