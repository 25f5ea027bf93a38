import { intervalForAudience, Paced } from "../collab/paced.js";
import type { OnlineUser } from "../protocol/events.js";
import { projectIdOfRoom, projectRoom } from "./rooms.js";
import type { ProjectsNamespace } from "./types.js";

/** A user online in a project, with how many sockets (tabs) they have in its room on one node. */
export interface PresentUser extends OnlineUser {
  sockets: number;
}

/** How nodes of a cluster tell each other who is online in each project on them. */
export interface PresenceExchange {
  /** This node's users in a project (empty: none any more). */
  publish(projectId: string, users: PresentUser[]): void;
  /** `handler` hears every other node's publications. */
  subscribe(handler: (node: string, projectId: string, users: PresentUser[]) => void): void;
}

/**
 * Each socket in a room adds this much to the pause between two presence
 * messages to it: a crowd arriving at once is told in a few messages to
 * everyone, not one per arrival (quadratic). A room of a thousand hears at
 * most four a second; a room of a few, each change at once.
 */
const PAUSE_PER_SOCKET_MS = 0.25;

/** A node repeats its presence this often; one not heard from for three times as long is gone (crashed). */
const HEARTBEAT_MS = 5_000;
const EXPIRY_MS = 3 * HEARTBEAT_MS;

interface OnlineEntry {
  name: string;
  sockets: Set<string>;
}

interface RemoteEntry {
  users: PresentUser[];
  /** The node's sockets in the room, all its users together. */
  sockets: number;
  heardAt: number;
}

/**
 * Who is online in each project, kept up to date from the adapter's room
 * events as this node's sockets join and leave project rooms (so asking
 * costs no adapter round trip), and, in a cluster, from what the other
 * nodes publish. Each node tells its own sockets, and only when the set of
 * users changes: a user's second tab (or 400th) changes nothing, and every
 * socket hears each change once, from its own node.
 */
export class Presence {
  private readonly local = new Map<string, Map<string, OnlineEntry>>();
  private readonly remote = new Map<string, Map<string, RemoteEntry>>();
  /**
   * Each project's users as `online` answers, until the set changes: every
   * open's answer carries the list, and a crowd of a thousand opens would
   * otherwise sort it a thousand times.
   */
  private readonly sortedOnline = new Map<string, OnlineUser[]>();
  /** The user set each room was last told (user ids in order), to tell it again only on a change. */
  private readonly announced = new Map<string, string>();
  /** This node's own user set per project as last published to the others. */
  private readonly published = new Map<string, string>();
  private readonly scheduled = new Set<string>();
  /** Each room's pace of presence messages, while it has sockets on this node. */
  private readonly paces = new Map<string, Paced>();
  private readonly heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly namespace: ProjectsNamespace,
    private readonly exchange?: PresenceExchange,
  ) {
    namespace.adapter.on("join-room", (room: string, socketId: string) => {
      const projectId = projectIdOfRoom(room);
      const socket = projectId ? namespace.sockets.get(socketId) : undefined;
      if (!projectId || !socket) return;
      let users = this.local.get(projectId);
      if (!users) {
        users = new Map();
        this.local.set(projectId, users);
      }
      const { userId, name } = socket.data;
      let entry = users.get(userId);
      if (!entry) {
        entry = { name, sockets: new Set() };
        users.set(userId, entry);
        this.sortedOnline.delete(projectId);
      }
      entry.sockets.add(socketId);
      this.schedule(projectId);
    });
    namespace.adapter.on("leave-room", (room: string, socketId: string) => {
      const projectId = projectIdOfRoom(room);
      const users = projectId ? this.local.get(projectId) : undefined;
      const userId = namespace.sockets.get(socketId)?.data.userId;
      if (!projectId || !users || !userId) return;
      const entry = users.get(userId);
      entry?.sockets.delete(socketId);
      if (entry && entry.sockets.size === 0) {
        users.delete(userId);
        this.sortedOnline.delete(projectId);
      }
      if (users.size === 0) this.local.delete(projectId);
      this.schedule(projectId);
    });
    if (exchange) {
      exchange.subscribe((node, projectId, users) => this.heard(node, projectId, users));
      this.heartbeat = setInterval(() => this.beat(), HEARTBEAT_MS);
      this.heartbeat.unref();
    }
  }

  /** Each user once, however many sockets (tabs, nodes) they have in the room; ordered by name. */
  online(projectId: string): OnlineUser[] {
    let sorted = this.sortedOnline.get(projectId);
    if (!sorted) {
      const users = new Map<string, OnlineUser>();
      for (const [userId, { name }] of this.local.get(projectId) ?? []) users.set(userId, { userId, name });
      for (const entry of this.remote.get(projectId)?.values() ?? []) {
        for (const { userId, name } of entry.users) users.set(userId, { userId, name });
      }
      sorted = [...users.values()].sort((a, b) => a.name.localeCompare(b.name) || a.userId.localeCompare(b.userId));
      if (sorted.length > 0) this.sortedOnline.set(projectId, sorted);
    }
    // A copy: the kept list must not change under a caller.
    return [...sorted];
  }

  /** Sockets in the project's room, on this node and (as last heard) on the others. */
  socketCount(projectId: string): number {
    let count = this.namespace.adapter.rooms.get(projectRoom(projectId))?.size ?? 0;
    for (const entry of this.remote.get(projectId)?.values() ?? []) count += entry.sockets;
    return count;
  }

  /** Each online user's sockets in the room, all nodes together. */
  tabs(projectId: string): Map<string, PresentUser> {
    const users = new Map<string, PresentUser>();
    const add = (user: PresentUser) => {
      const known = users.get(user.userId);
      users.set(user.userId, { ...user, sockets: (known?.sockets ?? 0) + user.sockets });
    };
    for (const user of this.localUsers(projectId)) add(user);
    for (const entry of this.remote.get(projectId)?.values() ?? []) for (const user of entry.users) add(user);
    return users;
  }

  stop(): void {
    clearInterval(this.heartbeat);
    for (const pace of this.paces.values()) pace.stop();
    this.paces.clear();
  }

  /** Changes of one turn (a switch leaves one room and joins another) are told once, after it. */
  private schedule(projectId: string): void {
    if (this.scheduled.has(projectId)) return;
    this.scheduled.add(projectId);
    setImmediate(() => {
      this.scheduled.delete(projectId);
      this.tell(projectId);
      if (!this.exchange) return;
      const users = this.localUsers(projectId);
      // Tab counts too: they decide whether a room is full on every node.
      const key = users.map((user) => `${user.userId}:${user.sockets}`).join(",");
      if ((this.published.get(projectId) ?? "") === key) return;
      if (users.length === 0) this.published.delete(projectId);
      else this.published.set(projectId, key);
      this.exchange.publish(projectId, users);
    });
  }

  /** Tells this node's sockets in the room who is online, at the room's pace. */
  private tell(projectId: string): void {
    const sockets = this.namespace.adapter.rooms.get(projectRoom(projectId))?.size ?? 0;
    if (sockets === 0) {
      // Nobody here to tell; whoever opens next gets the list in the open's answer.
      this.paces.get(projectId)?.stop();
      this.paces.delete(projectId);
      this.announced.delete(projectId);
      return;
    }
    let pace = this.paces.get(projectId);
    if (!pace) {
      pace = new Paced(
        () =>
          intervalForAudience(
            this.namespace.adapter.rooms.get(projectRoom(projectId))?.size ?? 0,
            0,
            PAUSE_PER_SOCKET_MS,
          ),
        () => this.announce(projectId),
      );
      this.paces.set(projectId, pace);
    }
    pace.request();
  }

  /** Tells this node's sockets in the room who is online, if that changed. */
  private announce(projectId: string): void {
    const online = this.online(projectId);
    const key = online.map((user) => user.userId).join(",");
    if ((this.announced.get(projectId) ?? "") === key) return;
    if (online.length === 0) this.announced.delete(projectId);
    else this.announced.set(projectId, key);
    this.namespace.local.to(projectRoom(projectId)).emit("presence", { projectId, online });
  }

  private localUsers(projectId: string): PresentUser[] {
    return [...(this.local.get(projectId) ?? [])].map(([userId, { name, sockets }]) => ({
      userId,
      name,
      sockets: sockets.size,
    }));
  }

  private heard(node: string, projectId: string, users: PresentUser[]): void {
    let nodes = this.remote.get(projectId);
    if (!nodes) {
      nodes = new Map();
      this.remote.set(projectId, nodes);
    }
    if (users.length === 0) nodes.delete(node);
    else nodes.set(node, { users, sockets: users.reduce((sum, user) => sum + user.sockets, 0), heardAt: Date.now() });
    this.sortedOnline.delete(projectId);
    if (nodes.size === 0) this.remote.delete(projectId);
    this.tell(projectId);
  }

  /** Repeats this node's presence (a node that joins later, or missed a message, learns it) and expires the silent. */
  private beat(): void {
    for (const projectId of this.local.keys()) this.exchange?.publish(projectId, this.localUsers(projectId));
    const now = Date.now();
    for (const [projectId, nodes] of this.remote) {
      let expired = false;
      for (const [node, entry] of nodes) {
        if (now - entry.heardAt <= EXPIRY_MS) continue;
        nodes.delete(node);
        this.sortedOnline.delete(projectId);
        expired = true;
      }
      if (nodes.size === 0) this.remote.delete(projectId);
      if (expired) this.tell(projectId);
    }
  }
}
