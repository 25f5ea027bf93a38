/**
 * The reference: the y-websocket server (`@y/websocket-server`), in memory,
 * as its own README runs it: one `setupWSConnection` per WebSocket.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { setupWSConnection } from "@y/websocket-server/utils";
import { WebSocketServer } from "ws";

const httpServer = createServer();
const wss = new WebSocketServer({ noServer: true });
wss.on("connection", (connection, request) => setupWSConnection(connection, request));
httpServer.on("upgrade", (request, socket, head) => {
  wss.handleUpgrade(request, socket, head, (connection) => wss.emit("connection", connection, request));
});
httpServer.listen(0, "127.0.0.1", () => {
  process.stdout.write(`listening on ws://127.0.0.1:${(httpServer.address() as AddressInfo).port}\n`);
});
