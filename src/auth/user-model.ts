import { type Connection, type Model, Schema, type Types } from "mongoose";

export interface UserRecord {
  _id: Types.ObjectId;
  email: string;
  name: string;
  passwordHash: string;
  createdAt: Date;
  updatedAt: Date;
}

const userSchema = new Schema<UserRecord>(
  {
    email: { type: String, required: true, unique: true, lowercase: true, trim: true },
    name: { type: String, required: true, trim: true },
    // Never selected unless asked for, so no query path can leak it by accident.
    passwordHash: { type: String, required: true, select: false },
  },
  { timestamps: true, strict: "throw" },
);

export type UserModel = Model<UserRecord>;

export function defineUserModel(connection: Connection): UserModel {
  return connection.model<UserRecord>("User", userSchema);
}
