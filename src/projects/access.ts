import { Types } from "mongoose";
import { BatchedRead } from "../db/batched-read.js";
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

type MembershipRecord = Pick<ProjectRecord, "_id" | "name" | "members">;

interface AccessQuestion {
  userId: string;
  projectId: string;
}

const questionKey = ({ userId, projectId }: AccessQuestion) => `${projectId}:${userId}`;

export function createAccessPolicy(projects: ProjectModel): AccessPolicy {
  /** The answers to many questions in one query: the projects asked about, with the entries of the members asked about. */
  const answerAll = async (questions: AccessQuestion[]): Promise<Map<string, ProjectAccess>> => {
    const asked = (ids: string[]) => [...new Set(ids)].map((id) => new Types.ObjectId(id));
    const [only] = questions;
    // One question (the usual case): only that member's entry travels, however many members the project has.
    const found =
      questions.length === 1 && only
        ? await projects
            .find(
              { _id: new Types.ObjectId(only.projectId), "members.userId": new Types.ObjectId(only.userId) },
              { name: 1, members: { $elemMatch: { userId: new Types.ObjectId(only.userId) } } },
            )
            .lean<MembershipRecord[]>()
        : await projects
            .find(
              {
                _id: { $in: asked(questions.map((question) => question.projectId)) },
                "members.userId": { $in: asked(questions.map((question) => question.userId)) },
              },
              { name: 1, members: 1 },
            )
            .lean<MembershipRecord[]>();
    const answers = new Map<string, ProjectAccess>();
    for (const project of found) {
      const projectId = project._id.toHexString();
      for (const member of project.members ?? []) {
        if (!member.role) continue;
        const userId = member.userId.toHexString();
        answers.set(questionKey({ projectId, userId }), { projectId, projectName: project.name, role: member.role });
      }
    }
    return answers;
  };
  // Every open and every project request asks; a crowd opening projects at once shares queries.
  const questions = new BatchedRead<AccessQuestion, ProjectAccess>(answerAll, questionKey);
  const checkProjectAccess = async (userId: string, projectId: unknown): Promise<ProjectAccess | undefined> => {
    if (!isObjectId(projectId) || !isObjectId(userId)) return undefined;
    return questions.load({ userId: userId.toLowerCase(), projectId: projectId.toLowerCase() });
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
