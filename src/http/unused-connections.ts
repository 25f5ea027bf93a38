import type { IncomingMessage, Server } from "node:http";
import type { Socket } from "node:net";

/**
 * Connections that have not sent a request yet, such as a browser's speculative preconnect. Node's
 * `closeIdleConnections()` leaves them open, so at shutdown the HTTP server would wait for their headers timeout
 * (a minute or more). The first request or upgrade takes a connection off the list, so only those that never sent
 * anything are closed, and no listener stays on a connection in use.
 */
export class UnusedConnections {
  private readonly unused = new Set<Socket>();

  constructor(server: Server) {
    const unused = this.unused;
    const onClose = function (this: Socket) {
      unused.delete(this);
    };
    const used = (request: IncomingMessage) => {
      if (unused.delete(request.socket)) request.socket.off("close", onClose);
    };
    server.on("connection", (socket: Socket) => {
      unused.add(socket);
      socket.on("close", onClose);
    });
    server.on("request", used);
    server.on("upgrade", used);
  }

  /** For shutdown, once the server stopped accepting connections. */
  destroy(): void {
    for (const socket of this.unused) socket.destroy();
    this.unused.clear();
  }
}
