import type { OnlineUser } from "../protocol/events.js";
import { projectIdOfRoom, projectRoom } from "./rooms.js";
import type { ProjectsNamespace } from "./types.js";

interface OnlineEntry {
  name: string;
  sockets: Set<string>;
}

/**
 * Who is online in each project on this node, kept up to date from the
 * adapter's room events as sockets join and leave project rooms, so asking
 * costs nothing per socket and no adapter round trip. The room hears a
 * `presence` event only when its set of users changes: a user's second tab
 * (or 400th) changes nothing.
 */
export class Presence {
  private readonly projects = new Map<string, Map<string, OnlineEntry>>();
  /** The user set each room was last told (user ids in order), to tell it again only on a change. */
  private readonly announced = new Map<string, string>();

  constructor(private readonly namespace: ProjectsNamespace) {
    namespace.adapter.on("join-room", (room: string, socketId: string) => {
      const projectId = projectIdOfRoom(room);
      const socket = projectId ? namespace.sockets.get(socketId) : undefined;
      if (!projectId || !socket) return;
      let users = this.projects.get(projectId);
      if (!users) {
        users = new Map();
        this.projects.set(projectId, users);
      }
      const { userId, name } = socket.data;
      const entry = users.get(userId) ?? { name, sockets: new Set() };
      entry.sockets.add(socketId);
      users.set(userId, entry);
    });
    namespace.adapter.on("leave-room", (room: string, socketId: string) => {
      const projectId = projectIdOfRoom(room);
      const users = projectId ? this.projects.get(projectId) : undefined;
      const userId = namespace.sockets.get(socketId)?.data.userId;
      if (!projectId || !users || !userId) return;
      const entry = users.get(userId);
      entry?.sockets.delete(socketId);
      if (entry && entry.sockets.size === 0) users.delete(userId);
      if (users.size === 0) this.projects.delete(projectId);
    });
  }

  /** Each user once, however many sockets (tabs) they have in the room; ordered by name. */
  online(projectId: string): OnlineUser[] {
    const users = this.projects.get(projectId);
    if (!users) return [];
    return [...users]
      .map(([userId, { name }]) => ({ userId, name }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.userId.localeCompare(b.userId));
  }

  /** Tells the room who is online if that changed since it was last told; returns who is online. */
  announce(projectId: string): OnlineUser[] {
    const online = this.online(projectId);
    const key = online.map((user) => user.userId).join(",");
    if ((this.announced.get(projectId) ?? "") === key) return online;
    if (online.length === 0) this.announced.delete(projectId);
    else this.announced.set(projectId, key);
    this.namespace.to(projectRoom(projectId)).emit("presence", { projectId, online });
    return online;
  }
}
