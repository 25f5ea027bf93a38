/** The parts of an Engine.IO connection (`socket.conn`) this module reads. */
export interface EngineConnection {
  readonly readyState: string;
  readonly transport: { socket?: { bufferedAmount?: number; terminate?: () => void } };
  on(event: "packetCreate", listener: (packet: { data?: unknown }) => void): unknown;
  on(event: "flush" | "close", listener: () => void): unknown;
  close(discard?: boolean): unknown;
}

/** While someone waits for a connection to drain, it is looked at this often. */
const DRAIN_POLL_MS = 10;

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
  ) {
    connection.on("packetCreate", (packet) => {
      this.queued += sizeOf(packet.data);
      const buffered = this.bytes();
      if (buffered > this.limitBytes) this.overflow(buffered);
    });
    // The packets went to the transport: from here on the WebSocket's own count holds them.
    connection.on("flush", () => {
      this.queued = 0;
    });
    connection.on("close", () => this.settle());
  }

  bytes(): number {
    return this.queued + (this.connection.transport.socket?.bufferedAmount ?? 0);
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

  private settle(): void {
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

/** The outbound buffer of every Engine.IO connection of one server. */
export class OutboundBuffers {
  private readonly buffers = new WeakMap<EngineConnection, OutboundBuffer>();

  constructor(
    private readonly limitBytes: number,
    private readonly overflowed: (bufferedBytes: number) => void,
  ) {}

  track(connection: EngineConnection): void {
    this.buffers.set(connection, new OutboundBuffer(connection, this.limitBytes, this.overflowed));
  }

  whenDrained(connection: EngineConnection, callback: () => void): void {
    const buffer = this.buffers.get(connection);
    if (buffer) buffer.whenDrained(callback);
    else setImmediate(callback);
  }
}
