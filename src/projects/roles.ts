/**
 * Who may do what to a project: the one table. HTTP routes and the realtime
 * server both ask `can(role, action)`; nothing else decides.
 */
export const ROLES = ["owner", "editor", "viewer"] as const;
export type Role = (typeof ROLES)[number];

export const ACTIONS = ["read", "editDocument", "rename", "manageMembers", "delete"] as const;
export type Action = (typeof ACTIONS)[number];

const PERMISSIONS: Record<Role, ReadonlySet<Action>> = {
  owner: new Set(["read", "editDocument", "rename", "manageMembers", "delete"]),
  editor: new Set(["read", "editDocument", "rename"]),
  viewer: new Set(["read"]),
};

export function can(role: Role | undefined, action: Action): boolean {
  return role !== undefined && PERMISSIONS[role].has(action);
}
