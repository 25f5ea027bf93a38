import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import type { Document } from "bson";
import { runCommand } from "./commands/index.js";
import { CursorRegistry } from "./cursors.js";
import { Catalog } from "./storage/catalog.js";
import { adoptBinaries } from "./storage/values.js";
import {
  type IncomingMessage,
  MalformedMessageError,
  readFrameLength,
  readMessage,
  writeMsg,
  writeReply,
} from "./wire.js";

export interface EmbeddedMongoOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
}

/**
 * An in-memory server that speaks enough of the MongoDB wire protocol for
 * mongoose and the Node driver. Not a MongoDB: no durability, no auth, no
 * replication. Data lives as long as this object.
 */
export class EmbeddedMongoServer {
  private readonly catalog = new Catalog();
  private readonly cursors = new CursorRegistry();
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  private nextConnectionId = 1;
  private nextRequestId = 1;

  async start(options: EmbeddedMongoOptions = {}): Promise<string> {
    const host = options.host ?? "127.0.0.1";
    const server = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
    this.server = server;
    return this.uri;
  }

  get uri(): string {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error("embedded MongoDB server is not listening");
    return `mongodb://${address.address}:${address.port}/`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    const connectionId = this.nextConnectionId++;
    this.sockets.add(socket);
    socket.setNoDelay(true);
    socket.on("close", () => this.sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    let chunks: Buffer[] = [];
    let buffered = 0;
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      buffered += chunk.length;
      try {
        let pending = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, buffered);
        for (;;) {
          const frameLength = readFrameLength(pending);
          if (frameLength === undefined || pending.length < frameLength) break;
          this.handle(socket, connectionId, readMessage(pending.subarray(0, frameLength)));
          pending = pending.subarray(frameLength);
        }
        chunks = pending.length > 0 ? [pending] : [];
        buffered = pending.length;
      } catch (error) {
        // A malformed frame leaves the stream unsynchronized: close this connection only.
        if (error instanceof MalformedMessageError) socket.destroy();
        else throw error;
      }
    });
  }

  private handle(socket: Socket, connectionId: number, message: IncomingMessage): void {
    const command = adoptBinaries(message.kind === "msg" ? message.command : message.query);
    const database =
      message.kind === "msg"
        ? typeof command.$db === "string"
          ? command.$db
          : ""
        : (message.collection.split(".")[0] ?? "");
    const reply: Document = database
      ? runCommand({ catalog: this.catalog, cursors: this.cursors, database, connectionId }, command)
      : { ok: 0, code: 2, codeName: "BadValue", errmsg: "command has no $db" };
    if (message.kind === "msg" && message.moreToCome) return;
    const requestId = this.nextRequestId++;
    const write = message.kind === "msg" ? writeMsg : writeReply;
    let frame: Buffer;
    try {
      frame = write(requestId, message.header.requestId, reply);
    } catch (error) {
      // A reply can fail to serialize (over 16 MiB): answer with an error instead.
      const failure = {
        ok: 0,
        code: 2,
        codeName: "BadValue",
        errmsg: `reply not serializable: ${(error as Error).message}`,
      };
      frame = write(requestId, message.header.requestId, failure);
    }
    if (!socket.destroyed) socket.write(frame);
  }
}
