import type { Namespace, Server, Socket } from "socket.io";
import type {
  NotificationsClientToServerEvents,
  NotificationsServerToClientEvents,
  ProjectsClientToServerEvents,
  ProjectsServerToClientEvents,
  SocketData,
} from "../protocol/events.js";

/** Events between nodes (serverSideEmit). */
export interface InterServerEvents {
  /** A project was deleted: every node drops its copy of the document. */
  "document:remove": (projectId: string) => void;
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
