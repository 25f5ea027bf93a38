import { type Document, deserialize, serialize } from "bson";

/**
 * The slice of the MongoDB wire protocol that the Node driver speaks to a
 * standalone server: OP_QUERY (legacy handshake only), OP_REPLY, OP_MSG.
 * Layouts follow the MongoDB wire protocol reference; all integers are
 * little-endian.
 */

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_MSG = 2013;

const HEADER_BYTES = 16;
/** Larger than any message the driver sends (48 MB), so we never buffer without bound. */
export const MAX_MESSAGE_BYTES = 48_000_000;

const MSG_CHECKSUM_PRESENT = 1 << 0;
const MSG_MORE_TO_COME = 1 << 1;
/** Bits 0-15 are required: a set bit we do not know means we cannot parse the message. */
const MSG_KNOWN_REQUIRED_BITS = MSG_CHECKSUM_PRESENT | MSG_MORE_TO_COME;

export class MalformedMessageError extends Error {}

export interface MessageHeader {
  length: number;
  requestId: number;
  responseTo: number;
  opCode: number;
}

export type IncomingMessage =
  | { kind: "query"; header: MessageHeader; collection: string; query: Document }
  | { kind: "msg"; header: MessageHeader; moreToCome: boolean; command: Document };

/** How many bytes the next frame needs, or undefined when the header is not complete yet. */
export function readFrameLength(buffer: Buffer): number | undefined {
  if (buffer.length < 4) return undefined;
  const length = buffer.readInt32LE(0);
  if (length < HEADER_BYTES || length > MAX_MESSAGE_BYTES) {
    throw new MalformedMessageError(`invalid message length ${length}`);
  }
  return length;
}

function readHeader(frame: Buffer): MessageHeader {
  return {
    length: frame.readInt32LE(0),
    requestId: frame.readInt32LE(4),
    responseTo: frame.readInt32LE(8),
    opCode: frame.readInt32LE(12),
  };
}

function readCString(frame: Buffer, offset: number): [string, number] {
  const end = frame.indexOf(0, offset);
  if (end < 0) throw new MalformedMessageError("unterminated cstring");
  return [frame.toString("utf8", offset, end), end + 1];
}

function readDocument(frame: Buffer, offset: number, limit: number): [Document, number] {
  if (offset + 5 > limit) throw new MalformedMessageError("truncated document");
  const size = frame.readInt32LE(offset);
  if (size < 5 || offset + size > limit) throw new MalformedMessageError("bad document size");
  try {
    return [deserialize(frame.subarray(offset, offset + size)), offset + size];
  } catch (error) {
    throw new MalformedMessageError(`invalid BSON: ${(error as Error).message}`);
  }
}

function readQuery(header: MessageHeader, frame: Buffer): IncomingMessage {
  let offset = HEADER_BYTES + 4; // flags
  const [collection, afterName] = readCString(frame, offset);
  offset = afterName + 8; // numberToSkip, numberToReturn
  const [query] = readDocument(frame, offset, frame.length);
  return { kind: "query", header, collection, query };
}

/**
 * OP_MSG: flagBits, then sections. Kind 0 is the command body; each kind 1
 * section is a named document sequence, folded into the body as an array
 * field of that name (as the server does), so commands see one document.
 */
function readMsg(header: MessageHeader, frame: Buffer): IncomingMessage {
  const flags = frame.readUInt32LE(HEADER_BYTES);
  if ((flags & 0xffff & ~MSG_KNOWN_REQUIRED_BITS) !== 0) {
    throw new MalformedMessageError(`unknown required flag bits ${flags}`);
  }
  const end = flags & MSG_CHECKSUM_PRESENT ? frame.length - 4 : frame.length;
  let offset = HEADER_BYTES + 4;
  let body: Document | undefined;
  const sequences: Array<[string, Document[]]> = [];
  while (offset < end) {
    const kind = frame.readUInt8(offset);
    offset += 1;
    if (kind === 0) {
      if (body) throw new MalformedMessageError("more than one body section");
      [body, offset] = readDocument(frame, offset, end);
    } else if (kind === 1) {
      if (offset + 4 > end) throw new MalformedMessageError("truncated sequence");
      const sectionEnd = offset + frame.readInt32LE(offset);
      if (sectionEnd > end || sectionEnd < offset + 5) throw new MalformedMessageError("bad sequence size");
      let identifier: string;
      [identifier, offset] = readCString(frame, offset + 4);
      const documents: Document[] = [];
      while (offset < sectionEnd) {
        let document: Document;
        [document, offset] = readDocument(frame, offset, sectionEnd);
        documents.push(document);
      }
      sequences.push([identifier, documents]);
    } else {
      throw new MalformedMessageError(`unknown section kind ${kind}`);
    }
  }
  if (!body) throw new MalformedMessageError("OP_MSG without a body section");
  for (const [identifier, documents] of sequences) body[identifier] = documents;
  return { kind: "msg", header, moreToCome: (flags & MSG_MORE_TO_COME) !== 0, command: body };
}

export function readMessage(frame: Buffer): IncomingMessage {
  if (frame.length < HEADER_BYTES + 5) throw new MalformedMessageError("frame too short");
  const header = readHeader(frame);
  try {
    if (header.opCode === OP_MSG) return readMsg(header, frame);
    if (header.opCode === OP_QUERY) return readQuery(header, frame);
  } catch (error) {
    if (error instanceof MalformedMessageError) throw error;
    // Buffer reads past the end throw RangeError: the frame lied about its layout.
    throw new MalformedMessageError((error as Error).message);
  }
  throw new MalformedMessageError(`unsupported opCode ${header.opCode}`);
}

function writeHeader(target: Buffer, length: number, requestId: number, responseTo: number, opCode: number) {
  target.writeInt32LE(length, 0);
  target.writeInt32LE(requestId, 4);
  target.writeInt32LE(responseTo, 8);
  target.writeInt32LE(opCode, 12);
}

export function writeReply(requestId: number, responseTo: number, document: Document): Buffer {
  const body = serialize(document);
  const prefix = Buffer.alloc(HEADER_BYTES + 20);
  writeHeader(prefix, prefix.length + body.length, requestId, responseTo, OP_REPLY);
  prefix.writeInt32LE(0, 16); // responseFlags
  prefix.writeBigInt64LE(0n, 20); // cursorID
  prefix.writeInt32LE(0, 28); // startingFrom
  prefix.writeInt32LE(1, 32); // numberReturned
  return Buffer.concat([prefix, body]);
}

export function writeMsg(requestId: number, responseTo: number, document: Document): Buffer {
  const body = serialize(document);
  const prefix = Buffer.alloc(HEADER_BYTES + 5);
  writeHeader(prefix, prefix.length + body.length, requestId, responseTo, OP_MSG);
  prefix.writeUInt32LE(0, 16); // flagBits
  prefix.writeUInt8(0, 20); // section kind 0
  return Buffer.concat([prefix, body]);
}
