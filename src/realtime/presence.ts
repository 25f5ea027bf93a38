import type { Logger } from "../logger.js";
import type { OnlineUser } from "../protocol/events.js";
import { projectRoom } from "./rooms.js";
import type { ProjectsNamespace } from "./types.js";

/**
 * Who is online in a project, computed from the room itself with
 * `fetchSockets()`, so it is right on every node behind a shared adapter.
 */
export class Presence {
  constructor(
    private readonly namespace: ProjectsNamespace,
    private readonly logger: Logger,
  ) {}

  /** Each user once, however many sockets (tabs) they have in the room; ordered by name. */
  async online(projectId: string): Promise<OnlineUser[]> {
    const sockets = await this.namespace.in(projectRoom(projectId)).fetchSockets();
    const users = new Map<string, OnlineUser>();
    for (const { data } of sockets) users.set(data.userId, { userId: data.userId, name: data.name });
    return [...users.values()].sort((a, b) => a.name.localeCompare(b.name) || a.userId.localeCompare(b.userId));
  }

  /** Sends the room its current presence; returns it. */
  async broadcast(projectId: string): Promise<OnlineUser[]> {
    const online = await this.online(projectId);
    this.namespace.to(projectRoom(projectId)).emit("presence", { projectId, online });
    return online;
  }

  /** After a socket of `userId` left: tells the room only if that user has no other socket there. */
  announceDeparture(projectId: string, userId: string): void {
    this.online(projectId).then(
      (online) => {
        if (online.some((user) => user.userId === userId)) return;
        this.namespace.to(projectRoom(projectId)).emit("presence", { projectId, online });
      },
      (error: unknown) => this.logger.warn({ err: error, projectId }, "presence update failed"),
    );
  }
}
