import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import type { Document } from "bson";
import { runCommand } from "./commands/index.js";
import { CursorRegistry } from "./cursors.js";
import { ServerStatistics } from "./statistics.js";
import { Catalog } from "./storage/catalog.js";
import { adoptBsonValues, nestingDepth } from "./storage/values.js";
import { type IncomingMessage, readFrameLength, readMessage, writeMsg, writeReply } from "./wire.js";

/** MongoDB's limit on BSON nesting in anything it reads; deeper commands are refused before they are looked at. */
const MAX_COMMAND_NESTING = 200;
const PARTIAL_FRAME_TIMEOUT_MS = 30_000;
/** Replies a client has not read: past this, its further commands wait until they drain. */
const MAX_UNREAD_REPLY_BYTES = 16 * 1024 * 1024;

/**
 * Collects a connection's bytes into frames: the length prefix tells how
 * much to wait for, chunks are kept as they come and joined once, so a
 * frame trickled in small pieces costs its size, not its size per piece.
 */
class FrameAssembler {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private expected: number | undefined;

  get partial(): boolean {
    return this.buffered > 0;
  }

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** The next complete frame, if there is one; throws MalformedMessageError for a bad length. */
  next(): Buffer | undefined {
    if (this.expected === undefined) {
      if (this.buffered < 4) return undefined;
      this.expected = readFrameLength(this.join()) as number;
    }
    if (this.buffered < this.expected) return undefined;
    const all = this.join();
    const frame = all.subarray(0, this.expected);
    const rest = all.subarray(this.expected);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    this.expected = undefined;
    return frame;
  }

  private join(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.buffered)];
    return this.chunks[0] as Buffer;
  }
}

export interface EmbeddedMongoOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** A frame that started arriving must be complete within this time, or the connection is closed (30 s). */
  partialFrameTimeoutMs?: number;
  /** A cursor nobody asked for more for this long is closed (10 minutes). */
  cursorIdleMs?: number;
  /** For tests of time: what "now" is, in milliseconds. */
  clock?: () => number;
}

/**
 * An in-memory server that speaks enough of the MongoDB wire protocol for
 * mongoose and the Node driver. Not a MongoDB: no durability, no auth, no
 * replication. Data lives as long as this object.
 */
export class EmbeddedMongoServer {
  private readonly catalog = new Catalog();
  private statistics = new ServerStatistics();
  private cursors = new CursorRegistry();
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  private nextConnectionId = 1;
  private nextRequestId = 1;
  private partialFrameTimeoutMs = PARTIAL_FRAME_TIMEOUT_MS;

  async start(options: EmbeddedMongoOptions = {}): Promise<string> {
    const host = options.host ?? "127.0.0.1";
    this.partialFrameTimeoutMs = options.partialFrameTimeoutMs ?? PARTIAL_FRAME_TIMEOUT_MS;
    this.cursors = new CursorRegistry(options.cursorIdleMs, options.clock);
    this.statistics = new ServerStatistics(options.clock);
    const server = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
    this.server = server;
    return this.uri;
  }

  /** Cursors holding results for a client's next getMore. */
  get openCursors(): number {
    return this.cursors.size;
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
    this.statistics.connectionOpened();
    socket.setNoDelay(true);
    socket.on("close", () => {
      this.sockets.delete(socket);
      this.statistics.connectionClosed();
    });
    socket.on("error", () => socket.destroy());
    const frames = new FrameAssembler();
    // Only a connection in the middle of a frame can time out: the driver keeps idle pooled connections.
    socket.setTimeout(this.partialFrameTimeoutMs, () => {
      if (frames.partial) socket.destroy();
    });
    // Frames are handled while the client keeps up with the replies; one that does not read them is not
    // read from either (nor are its frames already here handled) until they drain.
    const handleFrames = () => {
      try {
        for (let frame = frames.next(); frame; frame = frames.next()) {
          this.handle(socket, connectionId, frame);
          if (socket.writableLength > MAX_UNREAD_REPLY_BYTES) {
            socket.pause();
            return;
          }
        }
      } catch {
        // A malformed frame leaves the stream unsynchronized: close this connection only.
        socket.destroy();
      }
    };
    socket.on("drain", () => {
      socket.resume();
      handleFrames();
    });
    socket.on("data", (chunk: Buffer) => {
      frames.push(chunk);
      handleFrames();
    });
  }

  private handle(socket: Socket, connectionId: number, frame: Buffer): void {
    const message = readMessage(frame);
    if (message.kind === "msg" && message.moreToCome) {
      this.run(connectionId, message);
      return;
    }
    this.reply(socket, message, this.run(connectionId, message));
  }

  /** Any failure, even one no command handler foresaw, becomes an error reply: nothing a client sends stops the server. */
  private run(connectionId: number, message: IncomingMessage): Document {
    try {
      const body = message.kind === "msg" ? message.command : message.query;
      if (nestingDepth(body, MAX_COMMAND_NESTING) > MAX_COMMAND_NESTING) {
        return {
          ok: 0,
          code: 15,
          codeName: "Overflow",
          errmsg: `command nesting exceeds ${MAX_COMMAND_NESTING} levels`,
        };
      }
      return this.execute(connectionId, message, adoptBsonValues(body));
    } catch (error) {
      return { ok: 0, code: 1, codeName: "InternalError", errmsg: `command failed: ${(error as Error).message}` };
    }
  }

  private execute(connectionId: number, message: IncomingMessage, command: Document): Document {
    const database =
      message.kind === "msg"
        ? typeof command.$db === "string"
          ? command.$db
          : ""
        : (message.collection.split(".")[0] ?? "");
    return database
      ? runCommand(
          { catalog: this.catalog, cursors: this.cursors, statistics: this.statistics, database, connectionId },
          command,
        )
      : { ok: 0, code: 2, codeName: "BadValue", errmsg: "command has no $db" };
  }

  private reply(socket: Socket, message: IncomingMessage, reply: Document): void {
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
