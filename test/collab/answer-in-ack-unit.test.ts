import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { CapturedDoc } from "../../src/collab/captured-doc.js";
import { CollabConnection } from "../../src/collab/connection.js";
import { RateLimiter } from "../../src/collab/limits.js";
import { answerInAck, answerStep1 } from "../../src/collab/sync-replies.js";

/** A connection whose transport records what it sends and drains only when told. */
function connectionWithManualDrain(byteBurst = 1 << 20) {
  const sent: Uint8Array[] = [];
  const drains: Array<() => void> = [];
  const connection = new CollabConnection(
    {
      id: "socket-1",
      userId: "user-1",
      userName: "One",
      canWrite: () => true,
      sendSync: (message) => sent.push(message),
      sendAwareness: () => undefined,
      whenDrained: (callback) => drains.push(callback),
    },
    { messagesPerSecond: 100, bytesPerSecond: 1, maxDocumentBytes: byteBurst },
    new RateLimiter(1 << 20),
  );
  const drain = () => {
    for (const callback of drains.splice(0)) callback();
  };
  return { connection, sent, drain };
}

describe("the answer to an open's state vector, carried by its ack", () => {
  it("holds what the client lacks, is charged, and is the one answer in flight until the ack drains", () => {
    const doc = new CapturedDoc();
    doc.doc.getText("body").insert(0, "hello");
    const { connection, sent, drain } = connectionWithManualDrain(8);

    const answer = answerInAck(doc, connection, Y.encodeStateVector(new Y.Doc()), () => true);
    const copy = new Y.Doc();
    Y.applyUpdate(copy, answer.update);
    expect(copy.getText("body").toString()).toBe("hello");
    expect(answer.update.byteLength).toBeGreaterThan(8);
    // Charged to the connection's byte budget: a burst of 8 bytes is in debt now.
    expect(connection.bytes.tryTake(1)).toBe(false);

    // A step 1 that arrives before the ack has left waits for it, and only the latest is answered.
    answerStep1(doc, connection, Y.encodeStateVector(new Y.Doc()), () => true);
    answerStep1(doc, connection, Y.encodeStateVector(copy), () => true);
    expect(sent).toHaveLength(0);
    answer.sent();
    drain();
    expect(sent).toHaveLength(1);
    const [type, , ...payload] = sent[0] as Uint8Array;
    expect(type).toBe(1); // sync step 2
    // Against the latest state vector (the client has everything by then): nothing to add.
    expect(Y.decodeUpdate(new Uint8Array(payload)).structs).toHaveLength(0);
  });
});
