import type { ConnectionTransport } from "../collab/connection.js";
import { LARGEST_TEXT_PAYLOAD_TO_ONE_BYTES, toWire } from "../protocol/wire-bytes.js";
import { writersRoom } from "./rooms.js";
import type { ProjectsSocket } from "./types.js";

/**
 * How a document reaches one socket: the collab core's transport port, over Socket.IO. One object per connection
 * with its methods on the prototype, rather than a closure per method and socket (an idle connection's memory).
 */
export class SocketTransport implements ConnectionTransport {
  readonly id: string;
  readonly userId: string;
  readonly userName: string;

  constructor(
    private readonly socket: ProjectsSocket,
    private readonly projectId: string,
    private readonly drained: (socket: ProjectsSocket, callback: () => void) => void,
  ) {
    this.id = socket.id;
    this.userId = socket.data.userId;
    this.userName = socket.data.name;
  }

  /** Read at each change: a demotion takes effect on the next one. */
  canWrite(): boolean {
    return this.socket.rooms.has(writersRoom(this.projectId));
  }

  sendSync(message: Uint8Array): void {
    this.socket.emit("yjs:sync", this.projectId, toWire(message, LARGEST_TEXT_PAYLOAD_TO_ONE_BYTES));
  }

  sendAwareness(update: Uint8Array): void {
    this.socket.emit("yjs:awareness", this.projectId, toWire(update, LARGEST_TEXT_PAYLOAD_TO_ONE_BYTES));
  }

  whenDrained(callback: () => void): void {
    this.drained(this.socket, callback);
  }
}
