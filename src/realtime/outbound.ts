/** The parts of an Engine.IO connection (`socket.conn`) this module reads. */
export interface EngineConnection {
  readonly readyState: string;
  readonly transport: { socket?: { bufferedAmount?: number; terminate?: () => void } };
  on(event: "packetCreate", listener: (this: EngineConnection, packet: { data?: unknown }) => void): unknown;
  on(event: "flush" | "close", listener: (this: EngineConnection) => void): unknown;
  close(discard?: boolean): unknown;
}

/** While someone waits for a connection to drain, it is looked at this often. */
const DRAIN_POLL_MS = 10;

/**
 * A connection with more than this waiting to be written is behind: its
 * reader does not keep up (the kernel's buffer for it is full), and a cursor
 * move may skip it, the next one carrying the whole state again. Socket.IO's
 * `volatile` is no such test: it drops a packet whenever the transport is
 * still handing the previous one to the kernel, which is the case for the
 * rest of the turn that wrote to it, reader idle or not.
 */
const BEHIND_BYTES = 64 * 1024;

function sizeOf(data: unknown): number {
  if (typeof data === "string") return data.length;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return data.byteLength;
  return 0;
}

/**
 * What waits to be written to one client: packets Engine.IO holds while its
 * transport is busy, plus what the WebSocket has not handed to the kernel.
 * A client that stops reading makes both grow with every relay; past
 * `limitBytes` its connection is closed, so a slow reader costs this node
 * a bounded amount of memory.
 */
class OutboundBuffer {
  private queued = 0;
  private waiters: Array<() => void> = [];
  private poll: NodeJS.Timeout | undefined;

  constructor(
    private readonly connection: EngineConnection,
    private readonly limitBytes: number,
    private readonly overflowed: (bufferedBytes: number) => void,
  ) {}

  packetCreated(data: unknown): void {
    this.queued += sizeOf(data);
    const buffered = this.bytes();
    if (buffered > this.limitBytes) this.overflow(buffered);
  }

  /** The packets went to the transport: from here on the WebSocket's own count holds them. */
  flushed(): void {
    this.queued = 0;
  }

  bytes(): number {
    return this.queued + (this.connection.transport.socket?.bufferedAmount ?? 0);
  }

  isBehind(): boolean {
    return this.bytes() > BEHIND_BYTES;
  }

  whenDrained(callback: () => void): void {
    this.waiters.push(callback);
    if (this.poll) return;
    const check = () => {
      if (this.bytes() > 0 && this.connection.readyState === "open") {
        this.poll = setTimeout(check, DRAIN_POLL_MS);
        return;
      }
      this.settle();
    };
    // Most writes reach the kernel at once: look again after this turn's I/O first.
    this.poll = setTimeout(check, 0);
  }

  settle(): void {
    clearTimeout(this.poll);
    this.poll = undefined;
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  private overflow(buffered: number): void {
    if (this.connection.readyState !== "open") return;
    this.overflowed(buffered);
    this.connection.close(true);
    // A graceful WebSocket close would wait behind everything buffered for a peer that does not read.
    this.connection.transport.socket?.terminate?.();
  }
}

/**
 * The outbound buffer of every Engine.IO connection of one server. Its three
 * listeners are made once and find the buffer of the connection that calls
 * them (`this`): no closures per connection.
 */
export class OutboundBuffers {
  private readonly buffers = new WeakMap<EngineConnection, OutboundBuffer>();
  private readonly onPacketCreate: (this: EngineConnection, packet: { data?: unknown }) => void;
  private readonly onFlush: (this: EngineConnection) => void;
  private readonly onClose: (this: EngineConnection) => void;

  constructor(
    private readonly limitBytes: number,
    private readonly overflowed: (bufferedBytes: number) => void,
  ) {
    const buffers = this.buffers;
    this.onPacketCreate = function (packet) {
      buffers.get(this)?.packetCreated(packet.data);
    };
    this.onFlush = function () {
      buffers.get(this)?.flushed();
    };
    this.onClose = function () {
      buffers.get(this)?.settle();
    };
  }

  track(connection: EngineConnection): void {
    this.buffers.set(connection, new OutboundBuffer(connection, this.limitBytes, this.overflowed));
    connection.on("packetCreate", this.onPacketCreate);
    connection.on("flush", this.onFlush);
    connection.on("close", this.onClose);
  }

  isBehind(connection: EngineConnection): boolean {
    return this.buffers.get(connection)?.isBehind() ?? false;
  }

  whenDrained(connection: EngineConnection, callback: () => void): void {
    const buffer = this.buffers.get(connection);
    if (buffer) buffer.whenDrained(callback);
    else setImmediate(callback);
  }
}
