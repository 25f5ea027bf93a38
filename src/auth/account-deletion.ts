import { AppError } from "../errors.js";
import type { AccountService } from "./accounts.js";

/** What deleting an account needs from the projects domain. */
export interface Memberships {
  soleOwnerships(userId: string): Promise<Array<{ id: string; name: string }>>;
  leaveAll(userId: string): Promise<void>;
}

/**
 * Deletes an account: the password again (a stolen token alone must not
 * do it), refused while the user is the only owner of a project (CONFLICT,
 * with those projects, so the user can hand them over or delete them first),
 * then every membership is given up, as if the user left each project, and
 * the account goes. The caller disconnects the user's sockets afterwards.
 */
export async function deleteAccount(
  accounts: AccountService,
  memberships: Memberships,
  userId: string,
  password: string,
): Promise<void> {
  await accounts.checkPassword(userId, password);
  const blocking = await memberships.soleOwnerships(userId);
  if (blocking.length > 0) {
    throw new AppError("CONFLICT", "you are the only owner of these projects: transfer or delete them first", {
      projects: blocking,
    });
  }
  await memberships.leaveAll(userId);
  await accounts.remove(userId);
}
