import type { Namespace, Server, Socket } from "socket.io";
import type { ProjectEvent } from "../projects/events.js";
import type {
  AdminClientToServerEvents,
  AdminNode,
  AdminServerToClientEvents,
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
  /** An administrator on another node asks each node about itself. */
  "admin:node": (ack: (node: AdminNode) => void) => void;
  /** ... and about its copy of a document (null: not loaded there). */
  "admin:document": (
    projectId: string,
    ack: (loaded: { node: string; bytes: number; connections: number } | null) => void,
  ) => void;
  /** The named node drains. */
  "admin:drain": (node: string) => void;
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
export type AdminNamespace = Namespace<
  AdminClientToServerEvents,
  AdminServerToClientEvents,
  InterServerEvents,
  SocketData
>;
export type AdminSocket = Socket<AdminClientToServerEvents, AdminServerToClientEvents, InterServerEvents, SocketData>;
