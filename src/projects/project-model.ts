import { type Connection, type Model, Schema, type Types } from "mongoose";
import { ROLES, type Role } from "./roles.js";

export interface MemberRecord {
  userId: Types.ObjectId;
  role: Role;
  addedAt: Date;
}

export interface ProjectRecord {
  _id: Types.ObjectId;
  name: string;
  /** Who created it; ownership itself is a member's role and can move. */
  createdBy: Types.ObjectId;
  members: MemberRecord[];
  createdAt: Date;
  updatedAt: Date;
}

const memberSchema = new Schema<MemberRecord>(
  {
    userId: { type: Schema.Types.ObjectId, required: true },
    role: { type: String, enum: ROLES, required: true },
    addedAt: { type: Date, required: true, default: () => new Date() },
  },
  { _id: false },
);

const projectSchema = new Schema<ProjectRecord>(
  {
    name: { type: String, required: true, trim: true },
    createdBy: { type: Schema.Types.ObjectId, required: true },
    members: { type: [memberSchema], required: true },
  },
  { timestamps: true, strict: "throw" },
);
// "The projects of U, newest first" is one index walk; "the role of U in P" is an _id look-up.
projectSchema.index({ "members.userId": 1, createdAt: -1, _id: -1 });

export type ProjectModel = Model<ProjectRecord>;

export function defineProjectModel(connection: Connection): ProjectModel {
  return connection.model<ProjectRecord>("Project", projectSchema);
}
