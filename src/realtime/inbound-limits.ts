import { Decoder, Encoder } from "socket.io-parser";

/** No event of this protocol takes more arguments than this; Socket.IO's default allows 10 attachments. */
const MAX_ATTACHMENTS = 3;

/**
 * Socket.IO's default wire format with fewer binary attachments per packet:
 * the decoder holds a packet's attachments until the last one arrives, so
 * their count (each at most `maxHttpBufferSize`) bounds what one connection
 * can make this node hold. More is a protocol error that closes it.
 */
class BoundedDecoder extends Decoder {
  constructor() {
    super({ maxAttachments: MAX_ATTACHMENTS });
  }
}

export const boundedParser = { Encoder, Decoder: BoundedDecoder };

/** The parts of an Engine.IO connection read here. */
interface InboundConnection {
  readonly transport: { socket?: { terminate?: () => void } };
  on(event: "packet", listener: (packet: { data?: unknown }) => void): unknown;
  off(event: "packet", listener: (packet: { data?: unknown }) => void): unknown;
  close(discard?: boolean): unknown;
}

/**
 * Bytes an Engine.IO connection may send before any of its namespaces
 * accepted it: a handshake with a token needs a few KB, so anything more
 * from a stranger is closed at once rather than held until the connect
 * timeout.
 */
export class UnauthenticatedLimit {
  /** Each stranger's counting listener, until a namespace accepts it and the listener goes. */
  private readonly counting = new WeakMap<InboundConnection, (packet: { data?: unknown }) => void>();

  constructor(private readonly maxBytes: number) {}

  track(connection: InboundConnection): void {
    let received = 0;
    const listener = (packet: { data?: unknown }) => {
      const { data } = packet;
      received += typeof data === "string" ? data.length : data instanceof Uint8Array ? data.byteLength : 0;
      if (received <= this.maxBytes) return;
      connection.close(true);
      // Not a graceful WebSocket close: that would go on reading whatever the stranger keeps sending.
      connection.transport.socket?.terminate?.();
    };
    this.counting.set(connection, listener);
    connection.on("packet", listener);
  }

  /** A namespace accepted the connection's handshake: its bytes are no longer counted. */
  accept(connection: object): void {
    const tracked = connection as InboundConnection;
    const listener = this.counting.get(tracked);
    if (!listener) return;
    this.counting.delete(tracked);
    tracked.off("packet", listener);
  }
}
