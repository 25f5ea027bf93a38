/**
 * Room names. Room membership, held by Socket.IO's adapter, is the only record
 * of which project a socket has open and whether it may write, so it stays
 * right across nodes when the adapter is shared (Redis).
 */
const PROJECT_ROOM = /^project:([0-9a-f]{24})$/;

export const projectRoom = (projectId: string) => `project:${projectId}`;
/** Sockets in a project's room whose role may edit the document. */
export const writersRoom = (projectId: string) => `project:${projectId}:writers`;
/** Every socket of one user in a namespace. */
export const userRoom = (userId: string) => `user:${userId}`;

export function projectIdOfRoom(room: string): string | undefined {
  return PROJECT_ROOM.exec(room)?.[1];
}

/** The project a socket has open: at most one by construction. */
export function openProjectOf(socket: { rooms: Set<string> }): string | undefined {
  for (const room of socket.rooms) {
    const projectId = projectIdOfRoom(room);
    if (projectId) return projectId;
  }
  return undefined;
}
