import { randomBytes } from "node:crypto";
import { Types } from "mongoose";
import { BatchedRead } from "../db/batched-read.js";
import { AppError } from "../errors.js";
import type { PublicUser } from "../protocol/api.js";
import { hashPassword, verifyPassword } from "./password.js";
import type { UserModel, UserRecord } from "./user-model.js";

export type { PublicUser };

export interface AccountService {
  register(input: { email: string; password: string; name: string }): Promise<PublicUser>;
  /** UNAUTHORIZED with one message whether the email is unknown or the password wrong. */
  login(input: { email: string; password: string }): Promise<PublicUser>;
  findById(id: string): Promise<PublicUser | undefined>;
  findByEmail(email: string): Promise<PublicUser | undefined>;
  /** Display names for a set of ids, in one query. */
  namesByIds(ids: string[]): Promise<Map<string, string>>;
  /** UNAUTHORIZED unless `password` is the account's. */
  checkPassword(userId: string, password: string): Promise<void>;
  /** Deletes the account record (its memberships are the projects domain's to remove first). */
  remove(userId: string): Promise<void>;
}

export function toPublicUser(user: Pick<UserRecord, "_id" | "email" | "name" | "createdAt">): PublicUser {
  return { id: user._id.toHexString(), email: user.email, name: user.name, createdAt: user.createdAt.toISOString() };
}

function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: unknown })?.code === 11000;
}

export function createAccountService(users: UserModel): AccountService {
  // A real hash of nothing, checked when an email is unknown so that login timing does not reveal accounts.
  let decoyHash: Promise<string> | undefined;
  const invalidCredentials = () => new AppError("UNAUTHORIZED", "invalid email or password");
  // Every handshake, open and authenticated request looks an account up: a crowd's lookups share queries.
  const accountsById = new BatchedRead<string, PublicUser>(
    async (ids) => {
      const found = await users.find({ _id: { $in: ids.map((id) => new Types.ObjectId(id)) } }).lean<UserRecord[]>();
      return new Map(found.map((user) => [user._id.toHexString(), toPublicUser(user)]));
    },
    (id) => id,
  );

  return {
    async register({ email, password, name }) {
      const passwordHash = await hashPassword(password);
      try {
        const created = await users.create({ email, name, passwordHash });
        return toPublicUser(created);
      } catch (error) {
        if (isDuplicateKey(error)) throw new AppError("CONFLICT", "an account with this email already exists");
        throw error;
      }
    },

    async login({ email, password }) {
      const user = await users
        .findOne({ email: email.trim().toLowerCase() })
        .select("+passwordHash")
        .lean<UserRecord>();
      if (!user) {
        decoyHash ??= hashPassword(randomBytes(16).toString("hex"));
        await verifyPassword(password, await decoyHash);
        throw invalidCredentials();
      }
      if (!(await verifyPassword(password, user.passwordHash))) throw invalidCredentials();
      return toPublicUser(user);
    },

    async findById(id) {
      if (!Types.ObjectId.isValid(id)) return undefined;
      return accountsById.load(new Types.ObjectId(id).toHexString());
    },

    async findByEmail(email) {
      const user = await users.findOne({ email: email.trim().toLowerCase() }).lean<UserRecord>();
      return user ? toPublicUser(user) : undefined;
    },

    async checkPassword(userId, password) {
      const user = Types.ObjectId.isValid(userId)
        ? await users.findById(userId).select("+passwordHash").lean<UserRecord>()
        : null;
      if (!user || !(await verifyPassword(password, user.passwordHash))) {
        throw new AppError("UNAUTHORIZED", "wrong password");
      }
    },

    async remove(userId) {
      if (Types.ObjectId.isValid(userId)) await users.deleteOne({ _id: userId });
    },

    async namesByIds(ids) {
      const valid = ids.filter((id) => Types.ObjectId.isValid(id));
      const found = await users.find({ _id: { $in: valid } }, { name: 1 }).lean<Pick<UserRecord, "_id" | "name">[]>();
      return new Map(found.map((user) => [user._id.toHexString(), user.name]));
    },
  };
}
