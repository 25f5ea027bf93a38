import { Types } from "mongoose";
import type { AccountService } from "../auth/accounts.js";
import { AppError } from "../errors.js";
import type { MemberView, ProjectDetails, ProjectPage, ProjectSummary } from "../protocol/api.js";
import type { AccessPolicy } from "./access.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import type { ProjectEvents } from "./events.js";
import type { MemberRecord, ProjectModel, ProjectRecord } from "./project-model.js";
import { type Action, can, ROLES, type Role } from "./roles.js";

export type { MemberView, ProjectDetails, ProjectPage, ProjectSummary };

export const MAX_MEMBERS = 1000;

const objectId = (id: string) => new Types.ObjectId(id);

/** A filter clause that holds only while `userId` is a member whose role may do `action`. */
function memberMay(userId: string, action: Action) {
  const roles = ROLES.filter((role) => can(role, action));
  return { members: { $elemMatch: { userId: objectId(userId), role: { $in: roles } } } };
}

/** Holds while some owner other than `userId` remains: the last owner can be neither demoted nor removed. */
function anotherOwnerThan(userId: string) {
  return { members: { $elemMatch: { role: "owner", userId: { $ne: objectId(userId) } } } };
}

function summarize(
  project: Pick<ProjectRecord, "_id" | "name" | "createdAt" | "updatedAt">,
  role: Role,
): ProjectSummary {
  return {
    id: project._id.toHexString(),
    name: project.name,
    role,
    createdAt: project.createdAt.toISOString(),
    updatedAt: project.updatedAt.toISOString(),
  };
}

/**
 * Projects and their members. Every mutation re-states its permission in the
 * update's own filter, so a concurrent demotion or removal between the check
 * and the write cannot slip through; when the write matches nothing, the
 * cause is worked out afterwards to pick the right error.
 */
export class ProjectService {
  constructor(
    private readonly projects: ProjectModel,
    private readonly policy: AccessPolicy,
    private readonly accounts: AccountService,
    private readonly events: ProjectEvents,
  ) {}

  async create(userId: string, name: string): Promise<ProjectSummary> {
    const created = await this.projects.create({
      name,
      createdBy: objectId(userId),
      members: [{ userId: objectId(userId), role: "owner", addedAt: new Date() }],
    });
    return summarize(created, "owner");
  }

  async list(userId: string, options: { limit: number; cursor?: string }): Promise<ProjectPage> {
    const user = objectId(userId);
    const filter: Record<string, unknown> = { "members.userId": user };
    if (options.cursor) {
      const after = decodeCursor(options.cursor);
      filter.$or = [{ createdAt: { $lt: after.createdAt } }, { createdAt: after.createdAt, _id: { $lt: after.id } }];
    }
    const found = await this.projects
      .find(filter, { name: 1, createdAt: 1, updatedAt: 1, members: { $elemMatch: { userId: user } } })
      .sort({ createdAt: -1, _id: -1 })
      .limit(options.limit + 1)
      .lean<ProjectRecord[]>();
    const page = found.slice(0, options.limit);
    const last = page.at(-1);
    return {
      projects: page.map((project) => summarize(project, project.members[0]?.role ?? "viewer")),
      nextCursor: found.length > options.limit && last ? encodeCursor(last.createdAt, last._id) : null,
    };
  }

  async get(userId: string, projectId: string): Promise<ProjectDetails> {
    const access = await this.policy.authorize(userId, projectId, "read");
    const project = await this.projects.findById(access.projectId).lean<ProjectRecord>();
    if (!project) throw new AppError("NOT_FOUND", "project not found");
    return { ...summarize(project, access.role), members: await this.memberViews(project.members) };
  }

  async rename(userId: string, projectId: string, name: string): Promise<ProjectSummary> {
    const access = await this.policy.authorize(userId, projectId, "rename");
    const updated = await this.projects
      .findOneAndUpdate(
        { _id: objectId(access.projectId), ...memberMay(userId, "rename") },
        { $set: { name } },
        { returnDocument: "after" },
      )
      .lean<ProjectRecord>();
    if (!updated) return this.explainRefusal(userId, projectId, "rename");
    this.events.publish({ type: "project-renamed", projectId: access.projectId, projectName: updated.name });
    return summarize(updated, access.role);
  }

  async delete(userId: string, projectId: string): Promise<void> {
    const access = await this.policy.authorize(userId, projectId, "delete");
    const deleted = await this.projects
      .findOneAndDelete({ _id: objectId(access.projectId), ...memberMay(userId, "delete") })
      .lean<ProjectRecord>();
    if (!deleted) return this.explainRefusal(userId, projectId, "delete");
    this.events.publish({
      type: "project-deleted",
      projectId: access.projectId,
      projectName: deleted.name,
      memberIds: deleted.members.map((member) => member.userId.toHexString()),
    });
  }

  async addMember(actorId: string, projectId: string, email: string, role: Role): Promise<MemberView> {
    const access = await this.policy.authorize(actorId, projectId, "manageMembers");
    const user = await this.accounts.findByEmail(email);
    if (!user) throw new AppError("NOT_FOUND", "no account with this email");
    const result = await this.projects.updateOne(
      {
        _id: objectId(access.projectId),
        $and: [memberMay(actorId, "manageMembers"), { "members.userId": { $ne: objectId(user.id) } }],
        [`members.${MAX_MEMBERS - 1}`]: { $exists: false },
      },
      { $push: { members: { userId: objectId(user.id), role, addedAt: new Date() } } },
    );
    if (result.modifiedCount === 0) {
      await this.policy.authorize(actorId, projectId, "manageMembers");
      if (await this.policy.checkProjectAccess(user.id, projectId)) {
        throw new AppError("CONFLICT", "this user is already a member");
      }
      throw new AppError("CONFLICT", `a project has at most ${MAX_MEMBERS} members`);
    }
    this.events.publish({
      type: "member-added",
      projectId: access.projectId,
      projectName: access.projectName,
      userId: user.id,
      role,
    });
    return { userId: user.id, name: user.name, role };
  }

  async changeRole(actorId: string, projectId: string, targetId: string, role: Role): Promise<MemberView> {
    const access = await this.policy.authorize(actorId, projectId, "manageMembers");
    if (!Types.ObjectId.isValid(targetId)) throw new AppError("NOT_FOUND", "member not found");
    const before = await this.projects
      .findOneAndUpdate(
        {
          _id: objectId(access.projectId),
          $and: [
            memberMay(actorId, "manageMembers"),
            { "members.userId": objectId(targetId) },
            ...(role === "owner" ? [] : [anotherOwnerThan(targetId)]),
          ],
        },
        { $set: { "members.$[target].role": role } },
        { arrayFilters: [{ "target.userId": objectId(targetId) }], returnDocument: "before" },
      )
      .lean<ProjectRecord>();
    if (!before) return this.explainMemberRefusal(actorId, projectId, targetId);
    const previousRole = before.members.find((member) => member.userId.toHexString() === targetId)?.role ?? role;
    if (previousRole !== role) {
      this.events.publish({
        type: "role-changed",
        projectId: access.projectId,
        projectName: access.projectName,
        userId: targetId,
        role,
        previousRole,
      });
    }
    const names = await this.accounts.namesByIds([targetId]);
    return { userId: targetId, name: names.get(targetId) ?? "", role };
  }

  /** Owners remove anyone; every member may remove themself. The last owner stays. */
  async removeMember(actorId: string, projectId: string, targetId: string): Promise<void> {
    const leaving = actorId === targetId;
    const action: Action = leaving ? "read" : "manageMembers";
    const access = await this.policy.authorize(actorId, projectId, action);
    if (!Types.ObjectId.isValid(targetId)) throw new AppError("NOT_FOUND", "member not found");
    const before = await this.projects
      .findOneAndUpdate(
        {
          _id: objectId(access.projectId),
          $and: [memberMay(actorId, action), { "members.userId": objectId(targetId) }, anotherOwnerThan(targetId)],
        },
        { $pull: { members: { userId: objectId(targetId) } } },
        { returnDocument: "before" },
      )
      .lean<ProjectRecord>();
    if (!before) return this.explainMemberRefusal(actorId, projectId, targetId, action);
    this.events.publish({
      type: "member-removed",
      projectId: access.projectId,
      projectName: before.name,
      userId: targetId,
    });
  }

  /** Projects where `userId` is the only owner: they would be left without one if the user went. */
  async soleOwnerships(userId: string): Promise<Array<{ id: string; name: string }>> {
    if (!Types.ObjectId.isValid(userId)) return [];
    const owned = await this.projects
      .find({ members: { $elemMatch: { userId: objectId(userId), role: "owner" } } }, { name: 1, members: 1 })
      .lean<Pick<ProjectRecord, "_id" | "name" | "members">[]>();
    return owned
      .filter((project) => project.members.filter((member) => member.role === "owner").length === 1)
      .map((project) => ({ id: project._id.toHexString(), name: project.name }));
  }

  /** Leaves every project `userId` is a member of, as `removeMember` does (events included). */
  async leaveAll(userId: string): Promise<void> {
    if (!Types.ObjectId.isValid(userId)) return;
    const memberships = await this.projects
      .find({ "members.userId": objectId(userId) }, { _id: 1 })
      .lean<Pick<ProjectRecord, "_id">[]>();
    for (const project of memberships) {
      const projectId = project._id.toHexString();
      try {
        await this.removeMember(userId, projectId, userId);
      } catch (error) {
        // Gone meanwhile (deleted, or the user was removed): nothing left to leave.
        if (!(error instanceof AppError && error.code === "NOT_FOUND")) throw error;
      }
    }
  }

  private async memberViews(members: MemberRecord[]): Promise<MemberView[]> {
    const ids = members.map((member) => member.userId.toHexString());
    const names = await this.accounts.namesByIds(ids);
    return members.map((member, i) => ({
      userId: ids[i] as string,
      name: names.get(ids[i] as string) ?? "",
      role: member.role,
    }));
  }

  /** A guarded write matched nothing: the caller lost access or the project went away in between. */
  private async explainRefusal(userId: string, projectId: string, action: Action): Promise<never> {
    await this.policy.authorize(userId, projectId, action);
    throw new AppError("CONFLICT", "the project changed meanwhile; try again");
  }

  private async explainMemberRefusal(
    actorId: string,
    projectId: string,
    targetId: string,
    action: Action = "manageMembers",
  ): Promise<never> {
    await this.policy.authorize(actorId, projectId, action);
    if (!(await this.policy.checkProjectAccess(targetId, projectId)))
      throw new AppError("NOT_FOUND", "member not found");
    throw new AppError("CONFLICT", "a project must keep at least one owner");
  }
}
