import { io, type ManagerOptions, type Socket, type SocketOptions } from "socket.io-client";
import type { AckResponse, ConnectErrorData, WireError } from "../protocol/events.js";
import { Backoff } from "./backoff.js";
import { ProviderTokens, type TokenSource } from "./token-renewal.js";

export type ConnectionStatus = "connecting" | "connected" | "disconnected";

/** Why a connection attempt failed: a code the server named in `connect_error`, or UNREACHABLE (no answer at all). */
export interface ConnectionError {
  code: ConnectErrorData["code"] | "UNREACHABLE";
  message: string;
}

const NAMED_REFUSALS: ReadonlyArray<ConnectErrorData["code"]> = [
  "UNAUTHORIZED",
  "ORIGIN_REFUSED",
  "UNAVAILABLE",
  "INTERNAL",
  "DRAINING",
  "FORBIDDEN",
];

/** After the server hangs up (an expired token, say), the next handshake waits this long. */
const RECONNECT_AFTER_SERVER_DISCONNECT_MS = 1000;

export interface ServiceSocketOptions {
  url: string;
  namespace: string;
  token: TokenSource;
  ackTimeoutMs: number;
  socketOptions?: Partial<ManagerOptions & SocketOptions>;
}

/** What the owner (a provider, the notifications client) hears from its connection. */
export interface ServiceSocketEvents {
  /** The handshake was accepted. */
  connected(): void;
  /** The connection is gone, or an attempt to make one failed. */
  closed(): void;
  connecting(): void;
  connectionError(error: ConnectionError): void;
  error(error: WireError): void;
}

/** The contract's `auth:refresh`, which every namespace of the service takes. */
interface RefreshingSocket {
  timeout(ms: number): {
    emit(
      event: "auth:refresh",
      token: string,
      ack: (timedOut: Error | null, response: AckResponse<{ expiresAt: number }>) => void,
    ): void;
  };
}

/**
 * One Socket.IO connection to a namespace of the service, as every client
 * object of this library holds it: the token (a string the app may replace,
 * or a function asked at each handshake and before expiry), refusals named
 * by their code, retries with backoff where the same token will do, and a
 * new handshake after the server hangs up. Safe with a manager shared with
 * other sockets (io()'s cache): such a socket is connected at creation, and
 * is never connected twice.
 */
export class ServiceSocket<S extends Socket> {
  readonly socket: S;
  private readonly tokens: ProviderTokens;
  /** disconnect() was called, or the owner gave up: nothing reconnects until connect(). */
  private stopped = false;
  /** Handshakes the service could not serve for now are tried again after growing pauses. */
  readonly retries = new Backoff(() => !this.stopped);

  constructor(
    private readonly options: ServiceSocketOptions,
    private readonly events: ServiceSocketEvents,
  ) {
    this.tokens = new ProviderTokens(options.token, (fresh) => this.refresh(fresh));
    this.socket = io(`${options.url.replace(/\/$/, "")}${options.namespace}`, {
      ...options.socketOptions,
      autoConnect: false,
      auth: this.tokens.auth,
    }) as S;
    const socket = this.socket as Socket;
    socket.on("connect", () => events.connected());
    socket.on("disconnect", this.onDisconnect);
    socket.on("connect_error", this.onConnectError);
  }

  /** A manager shared with an already open socket connects a new socket at once, whatever autoConnect says. */
  get connectedAtCreation(): boolean {
    return this.socket.active;
  }

  connect(): void {
    this.stopped = false;
    this.retries.cancel();
    this.events.connecting();
    // Connecting an active socket again would send a second CONNECT: a duplicate handshake.
    if (!this.socket.active) this.socket.connect();
  }

  disconnect(): void {
    this.stopped = true;
    this.tokens.stop();
    this.retries.cancel();
    this.socket.disconnect();
  }

  /** The owner's own step after the handshake succeeded too: renew the token in time, reset the backoff. */
  established(): void {
    this.retries.succeeded();
    this.tokens.opened();
  }

  /** Drops the connection and makes a new one after a pause (the owner's step failed for now). */
  reconnectLater(): void {
    this.socket.disconnect();
    this.retries.later(() => this.socket.connect());
  }

  /**
   * Replaces the token: used for every later handshake, and handed to the
   * server at once when connected, so the open connection outlives the old
   * token. Resolves whether the server accepted it.
   */
  async setToken(token: string): Promise<boolean> {
    this.tokens.replace(token);
    if (!this.socket.connected) return true;
    const accepted = await this.refresh(token);
    if (accepted) this.tokens.accepted(token);
    return accepted;
  }

  destroy(): void {
    this.disconnect();
    this.socket.removeAllListeners();
  }

  private refresh(token: string): Promise<boolean> {
    return new Promise((resolve) => {
      (this.socket as unknown as RefreshingSocket)
        .timeout(this.options.ackTimeoutMs)
        .emit("auth:refresh", token, (timedOut, response) => resolve(!timedOut && response.ok));
    });
  }

  private readonly onDisconnect = (reason: string) => {
    this.tokens.stop();
    this.events.closed();
    // The server hung up (an expired token, say): a new handshake, asking for a fresh token. socket.io-client
    // reconnects by itself after a transport failure, never after the server's own disconnect.
    if (reason === "io server disconnect" && !this.stopped) {
      setTimeout(() => {
        if (!this.stopped && !this.socket.active) this.connect();
      }, RECONNECT_AFTER_SERVER_DISCONNECT_MS);
    }
  };

  private readonly onConnectError = (error: Error & { data?: { code?: string } }) => {
    const code = NAMED_REFUSALS.find((each) => each === error.data?.code);
    // Without a code the transport failed (server down, network, a browser's CORS refusal): socket.io-client retries.
    this.events.connectionError({ code: code ?? "UNREACHABLE", message: error.message });
    if (code === "UNAUTHORIZED" || code === "ORIGIN_REFUSED" || code === "FORBIDDEN") {
      // Not retried by socket.io-client, nor here: the token (or the page's origin) must change first.
      if (code === "UNAUTHORIZED") this.events.error({ code, message: "the server refused the token" });
      this.events.closed();
      return;
    }
    if (code === "UNAVAILABLE" || code === "INTERNAL" || code === "DRAINING") {
      // Not retried by socket.io-client either, but the same token will do once the service recovers (or, for
      // DRAINING, on the next connection: the server closed this one, so the next goes through the load balancer).
      this.events.error({ code, message: "the service is unavailable; retrying" });
      this.retries.later(() => this.socket.connect());
    }
  };
}
