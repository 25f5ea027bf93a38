import type { Logger } from "../logger.js";
import type { AccessPolicy } from "../projects/access.js";
import type { ProjectEvent } from "../projects/events.js";
import { can } from "../projects/roles.js";
import type { AccessChanges } from "./access-changes.js";
import { applyWriteAccess } from "./project-rooms.js";
import { openProjectOf, projectRoom, writersRoom } from "./rooms.js";
import type { ProjectsNamespace, ProjectsSocket } from "./types.js";

function evict(socket: ProjectsSocket, projectId: string): void {
  socket.emit("project:access-revoked", { projectId });
  socket.leave(projectRoom(projectId));
  socket.leave(writersRoom(projectId));
}

/** This node's sockets in a project's room (of one user, when given). */
function localSockets(namespace: ProjectsNamespace, projectId: string, userId?: string): ProjectsSocket[] {
  const room = projectRoom(projectId);
  return [...namespace.sockets.values()].filter(
    (socket) => socket.rooms.has(room) && (userId === undefined || socket.data.userId === userId),
  );
}

/** Tells this node's sockets in a project's room that access is gone, and empties the room here. */
export function emptyRoom(namespace: ProjectsNamespace, projectId: string): void {
  for (const socket of localSockets(namespace, projectId)) evict(socket, projectId);
}

/**
 * Applies a membership change to this node's live sockets at once: a removed
 * member's sockets leave the room and are told why, a deleted project's
 * room is emptied, a role change moves sockets in or out of the writers
 * room. In a cluster every node hears every change (serverSideEmit) and
 * applies it to its own sockets: no request across nodes that a Redis blip
 * could lose halfway.
 */
export function membershipChangeHandler(
  namespace: ProjectsNamespace,
  changes: AccessChanges,
): (event: ProjectEvent) => void {
  return (event) => {
    if (event.type === "member-removed" || event.type === "project-deleted" || event.type === "role-changed") {
      changes.changed();
    }
    switch (event.type) {
      case "member-removed":
        for (const socket of localSockets(namespace, event.projectId, event.userId)) evict(socket, event.projectId);
        return;
      case "project-deleted":
        emptyRoom(namespace, event.projectId);
        return;
      case "role-changed":
        for (const socket of localSockets(namespace, event.projectId, event.userId)) {
          applyWriteAccess(socket, { projectId: event.projectId, projectName: event.projectName, role: event.role });
          socket.emit("project:role", {
            projectId: event.projectId,
            role: event.role,
            readOnly: !can(event.role, "editDocument"),
          });
        }
        return;
      default:
        return;
    }
  };
}

/**
 * Checks every open project of this node's sockets against the database
 * again: after this node lost Redis, changes made through other nodes
 * meanwhile may not have reached it. Access gone → evicted; role changed →
 * applied.
 */
export async function recheckAccess(
  namespace: ProjectsNamespace,
  policy: AccessPolicy,
  logger: Logger,
  changes: AccessChanges,
): Promise<void> {
  // Opens in flight check again: what this node missed may concern them, and this loop may pass them by.
  changes.changed();
  for (const socket of [...namespace.sockets.values()]) {
    const projectId = openProjectOf(socket);
    if (!projectId) continue;
    try {
      const access = await policy.checkProjectAccess(socket.data.userId, projectId);
      if (!socket.rooms.has(projectRoom(projectId))) continue;
      if (access) applyWriteAccess(socket, access);
      else evict(socket, projectId);
    } catch (error) {
      logger.warn({ err: error, projectId }, "re-checking a socket's access failed");
    }
  }
}
