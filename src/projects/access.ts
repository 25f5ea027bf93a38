import { Types } from "mongoose";
import { AppError } from "../errors.js";
import type { ProjectModel, ProjectRecord } from "./project-model.js";
import { type Action, can, type Role } from "./roles.js";

export interface ProjectAccess {
  projectId: string;
  projectName: string;
  role: Role;
}

/** The one membership check of the service; HTTP routes and Socket.IO handlers both come through here. */
export interface AccessPolicy {
  /** The caller's role in the project, or undefined for a non-member, an unknown project and a malformed id alike. */
  checkProjectAccess(userId: string, projectId: unknown): Promise<ProjectAccess | undefined>;
  /**
   * Access for `action`, or NOT_FOUND when the caller is not a member (never
   * revealing that the project exists) and FORBIDDEN when the role is short.
   */
  authorize(userId: string, projectId: unknown, action: Action): Promise<ProjectAccess>;
  /** The names of those of these projects that still exist. */
  existing(projectIds: string[]): Promise<Map<string, string>>;
}

export function isObjectId(value: unknown): value is string {
  return typeof value === "string" && /^[0-9a-f]{24}$/i.test(value);
}

export function createAccessPolicy(projects: ProjectModel): AccessPolicy {
  const checkProjectAccess = async (userId: string, projectId: unknown): Promise<ProjectAccess | undefined> => {
    if (!isObjectId(projectId) || !isObjectId(userId)) return undefined;
    const user = new Types.ObjectId(userId);
    // One query: the project by _id, only if the user is a member, with just that member's entry.
    const found = await projects
      .findOne(
        { _id: new Types.ObjectId(projectId), "members.userId": user },
        { name: 1, members: { $elemMatch: { userId: user } } },
      )
      .lean<Pick<ProjectRecord, "_id" | "name" | "members">>();
    const role = found?.members?.[0]?.role;
    if (!found || !role) return undefined;
    return { projectId: found._id.toHexString(), projectName: found.name, role };
  };
  return {
    checkProjectAccess,
    async existing(projectIds) {
      const ids = projectIds.filter(isObjectId).map((id) => new Types.ObjectId(id));
      const found = await projects
        .find({ _id: { $in: ids } }, { _id: 1, name: 1 })
        .lean<Pick<ProjectRecord, "_id" | "name">[]>();
      return new Map(found.map((project) => [project._id.toHexString(), project.name]));
    },
    async authorize(userId, projectId, action) {
      const access = await checkProjectAccess(userId, projectId);
      if (!access) throw new AppError("NOT_FOUND", "project not found");
      if (!can(access.role, action)) throw new AppError("FORBIDDEN", `your role (${access.role}) may not do this`);
      return access;
    },
  };
}
