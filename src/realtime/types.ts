import type { Namespace, Server, Socket } from "socket.io";
import type { ProjectEvent } from "../projects/events.js";
import type {
  NotificationsClientToServerEvents,
  NotificationsServerToClientEvents,
  ProjectsClientToServerEvents,
  ProjectsServerToClientEvents,
  SocketData,
} from "../protocol/events.js";

/** Events between nodes (serverSideEmit). */
export interface InterServerEvents {
  /** A project change made through another node: applied to this node's sockets and documents. */
  "project:event": (event: ProjectEvent) => void;
}

export type ProjectsNamespace = Namespace<
  ProjectsClientToServerEvents,
  ProjectsServerToClientEvents,
  InterServerEvents,
  SocketData
>;
export type ProjectsSocket = Socket<
  ProjectsClientToServerEvents,
  ProjectsServerToClientEvents,
  InterServerEvents,
  SocketData
>;
export type NotificationsNamespace = Namespace<
  NotificationsClientToServerEvents,
  NotificationsServerToClientEvents,
  InterServerEvents,
  SocketData
>;
export type NotificationsSocket = Socket<
  NotificationsClientToServerEvents,
  NotificationsServerToClientEvents,
  InterServerEvents,
  SocketData
>;
export type SocketServer = Server<
  ProjectsClientToServerEvents,
  ProjectsServerToClientEvents,
  InterServerEvents,
  SocketData
>;
