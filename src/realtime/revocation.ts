import type { Logger } from "../logger.js";
import type { ProjectEvent, ProjectEvents } from "../projects/events.js";
import { applyWriteAccess } from "./project-rooms.js";
import { projectRoom, writersRoom } from "./rooms.js";
import type { ProjectsNamespace } from "./types.js";

/** Tells everyone in a project's room that access is gone, and empties the room (on every node). */
export function emptyRoom(namespace: ProjectsNamespace, projectId: string): void {
  const room = projectRoom(projectId);
  namespace.to(room).emit("project:access-revoked", { projectId });
  namespace.in(room).socketsLeave([room, writersRoom(projectId)]);
}

/**
 * Applies membership changes to live sockets at once: a removed member's
 * sockets leave the room and are told why, a deleted project's room is
 * emptied, a role change moves sockets in or out of the writers room.
 * Works through the adapter (fetchSockets, leave), so it reaches every node.
 */
export function applyMembershipChanges(
  events: ProjectEvents,
  namespace: ProjectsNamespace,
  logger: Logger,
): () => void {
  const socketsOf = async (projectId: string, userId: string) =>
    (await namespace.in(projectRoom(projectId)).fetchSockets()).filter((socket) => socket.data.userId === userId);

  const evict = async (projectId: string, userId: string) => {
    const sockets = await socketsOf(projectId, userId);
    if (sockets.length === 0) return;
    for (const socket of sockets) {
      socket.emit("project:access-revoked", { projectId });
      socket.leave(projectRoom(projectId));
      socket.leave(writersRoom(projectId));
    }
  };

  const handle = async (event: ProjectEvent) => {
    switch (event.type) {
      case "member-removed":
        return evict(event.projectId, event.userId);
      case "project-deleted":
        emptyRoom(namespace, event.projectId);
        return;
      case "role-changed":
        for (const socket of await socketsOf(event.projectId, event.userId)) {
          applyWriteAccess(socket, { projectId: event.projectId, projectName: event.projectName, role: event.role });
        }
        return;
      default:
        return;
    }
  };

  return events.subscribe((event) => {
    handle(event).catch((error: unknown) =>
      logger.error(
        { err: error, event: event.type, projectId: event.projectId },
        "applying a membership change failed",
      ),
    );
  });
}
