/**
 * The floor: a plain Socket.IO 4.8 relay with the default parser, no document
 * and no database. Each binary payload goes to the rest of the room with
 * `socket.to(room).emit(...)`; an ack, when asked for, answers at once.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "socket.io";

const httpServer = createServer();
const io = new Server(httpServer, { serveClient: false, maxHttpBufferSize: 4 * 1024 * 1024 });
io.on("connection", (socket) => {
  socket.on("join", (room: string, ack?: () => void) => {
    socket.join(room);
    ack?.();
  });
  socket.on("update", (room: string, payload: Uint8Array, ack?: () => void) => {
    socket.to(room).emit("update", payload);
    ack?.();
  });
});
httpServer.listen(0, "127.0.0.1", () => {
  process.stdout.write(`listening on http://127.0.0.1:${(httpServer.address() as AddressInfo).port}\n`);
});
