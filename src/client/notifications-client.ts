import { ObservableV2 } from "lib0/observable";
import type { ManagerOptions, Socket, SocketOptions } from "socket.io-client";
import {
  NOTIFICATIONS_NAMESPACE,
  type Notification,
  type NotificationsClientToServerEvents,
  type NotificationsServerToClientEvents,
  type WireError,
} from "../protocol/events.js";
import { type ConnectionError, type ConnectionStatus, ServiceSocket } from "./service-socket.js";
import type { TokenSource } from "./token-renewal.js";

export interface NotificationsClientOptions {
  /** The service's base URL, e.g. `https://collab.example.com`. */
  url: string;
  /** A JWT, or a function asked at every handshake and before expiry (it renews the token on the open socket). */
  token: TokenSource;
  /** Connect at once (default true). */
  connect?: boolean;
  /** How long to wait for the server to answer a token renewal. */
  ackTimeoutMs?: number;
  /** Passed to socket.io-client; sockets to the same URL share one connection unless `forceNew`. */
  socketOptions?: Partial<ManagerOptions & SocketOptions>;
}

export interface NotificationsClientEvents {
  /** Something happened to the user's projects: added, role changed, removed, a project deleted. */
  notification: (notification: Notification) => void;
  status: (status: ConnectionStatus) => void;
  /** A connection attempt failed; UNAUTHORIZED and ORIGIN_REFUSED stop the client, the others are retried. */
  "connection-error": (error: ConnectionError) => void;
  error: (error: WireError) => void;
}

type ClientSocket = Socket<NotificationsServerToClientEvents, NotificationsClientToServerEvents>;

/**
 * The user's personal channel (`/notifications`): what happens to their
 * projects, whether or not a project is open. Reconnects by itself and
 * renews a token function's token on the open socket. Notifications sent
 * while it is disconnected are not replayed: on `status` "connected" after
 * a gap, an app re-reads what it shows (the project list, say).
 */
export class NotificationsClient extends ObservableV2<NotificationsClientEvents> {
  status: ConnectionStatus = "disconnected";
  private readonly connection: ServiceSocket<ClientSocket>;

  constructor(options: NotificationsClientOptions) {
    super();
    this.connection = new ServiceSocket<ClientSocket>(
      { ...options, namespace: NOTIFICATIONS_NAMESPACE, ackTimeoutMs: options.ackTimeoutMs ?? 10_000 },
      {
        connected: () => {
          this.connection.established();
          this.setStatus("connected");
        },
        closed: () => this.setStatus("disconnected"),
        connecting: () => this.setStatus("connecting"),
        connectionError: (error) => this.emit("connection-error", [error]),
        error: (error) => this.emit("error", [error]),
      },
    );
    this.connection.socket.on("notification", (notification) => this.emit("notification", [notification]));
    if (options.connect !== false) this.connect();
    else if (this.connection.connectedAtCreation) this.connection.disconnect();
  }

  connect(): void {
    this.connection.connect();
  }

  disconnect(): void {
    this.connection.disconnect();
    this.setStatus("disconnected");
  }

  /** Replaces the token, live (see `ProjectProvider.setToken`). */
  setToken(token: string): Promise<boolean> {
    return this.connection.setToken(token);
  }

  override destroy(): void {
    this.connection.destroy();
    this.setStatus("disconnected");
    super.destroy();
  }

  private setStatus(status: ConnectionStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.emit("status", [status]);
  }
}
