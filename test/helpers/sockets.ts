import { io, type ManagerOptions, type Socket, type SocketOptions } from "socket.io-client";
import type {
  AckResponse,
  AdminClientToServerEvents,
  AdminServerToClientEvents,
  NotificationsServerToClientEvents,
  OpenResult,
  ProjectsClientToServerEvents,
  ProjectsServerToClientEvents,
} from "../../src/protocol/events.js";

export type ProjectsClient = Socket<ProjectsServerToClientEvents, ProjectsClientToServerEvents>;
export type NotificationsClient = Socket<NotificationsServerToClientEvents, Record<string, never>>;

const openSockets = new Set<Socket>();

function connectTo<T extends Socket>(
  url: string,
  namespace: string,
  auth: object,
  options: Partial<ManagerOptions & SocketOptions> = {},
): Promise<T> {
  const socket = io(`${url}${namespace}`, {
    auth,
    transports: ["websocket"],
    forceNew: true,
    reconnection: false,
    ...options,
  }) as T;
  openSockets.add(socket);
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (error) => {
      socket.close();
      reject(error);
    });
  });
}

export function connectProjects(url: string, token: string, options?: Partial<ManagerOptions & SocketOptions>) {
  return connectTo<ProjectsClient>(url, "/projects", { token }, options);
}

export function connectNotifications(url: string, token: string) {
  return connectTo<NotificationsClient>(url, "/notifications", { token });
}

export type AdminClient = Socket<AdminServerToClientEvents, AdminClientToServerEvents>;

export function connectAdmin(url: string, token: string) {
  return connectTo<AdminClient>(url, "/admin", { token });
}

/** An admin event with its ack. */
export function adminCall<T extends object = object>(
  socket: AdminClient,
  event: string,
  ...args: unknown[]
): Promise<AckResponse<T>> {
  return (socket.timeout(10_000) as unknown as Socket).emitWithAck(event, ...args);
}

/** Resolves with the connect_error a refused handshake produces. */
export async function refusal(url: string, namespace: string, auth: object): Promise<Error & { data?: unknown }> {
  try {
    await connectTo(url, namespace, auth);
  } catch (error) {
    return error as Error & { data?: unknown };
  }
  throw new Error("the handshake was accepted");
}

export function closeAllSockets(): void {
  for (const socket of openSockets) socket.close();
  openSockets.clear();
}

/** The next `event` on `socket` whose payload satisfies `accept`. */
export function nextEvent<T>(
  socket: Socket,
  event: string,
  accept: (payload: T) => boolean = () => true,
  timeoutMs = 5000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, listener);
      reject(new Error(`timed out waiting for ${event}`));
    }, timeoutMs);
    const listener = (payload: T) => {
      if (!accept(payload)) return;
      clearTimeout(timer);
      socket.off(event, listener);
      resolve(payload);
    };
    socket.on(event, listener);
  });
}

/** Every payload of `event` the socket receives from now on. */
export function record<T>(socket: Socket, event: string): T[] {
  const seen: T[] = [];
  socket.on(event, (payload: T) => seen.push(payload));
  return seen;
}

export function openProject(socket: ProjectsClient, projectId: unknown): Promise<AckResponse<OpenResult>> {
  return (socket.timeout(5000) as unknown as Socket).emitWithAck("project:open", projectId);
}

export function closeProject(socket: ProjectsClient, projectId: unknown): Promise<AckResponse> {
  return (socket.timeout(5000) as unknown as Socket).emitWithAck("project:close", projectId);
}

/**
 * A request/ack round trip: everything the server emitted to this socket
 * before answering has arrived once it resolves, so absence can be asserted.
 */
export async function roundTrip(socket: ProjectsClient): Promise<void> {
  await closeProject(socket, "000000000000000000000000");
}

export function disconnected(socket: Socket): Promise<string> {
  return new Promise((resolve) => socket.once("disconnect", (reason) => resolve(reason)));
}

/** A chat event with its ack, as a raw client sends it. */
export function chatCall(socket: ProjectsClient, event: string, ...args: unknown[]): Promise<AckResponse> {
  return (socket.timeout(5000) as unknown as Socket).emitWithAck(event, ...args);
}
