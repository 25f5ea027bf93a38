import { Awareness, encodeAwarenessUpdate } from "y-protocols/awareness";
import * as Y from "yjs";
import { ClientIds } from "../../src/collab/client-ids.js";
import { CollabConnection } from "../../src/collab/connection.js";
import { type AwarenessDelivery, DocumentAwareness } from "../../src/collab/document-awareness.js";
import { RateLimiter } from "../../src/collab/limits.js";

const limits = { awarenessClientsPerConnection: 4, maxAwarenessStateBytes: 8192, relayIntervalMs: 5 };

/** A connection with a transport that writes nothing: what a document's awareness sees of a socket. */
export function fakeConnection(id: string) {
  return new CollabConnection(
    {
      id,
      userId: `user-${id}`,
      userName: id,
      canWrite: () => true,
      sendSync: () => undefined,
      sendAwareness: () => undefined,
      whenDrained: (callback) => callback(),
    },
    { messagesPerSecond: 100, bytesPerSecond: 1 << 20, maxDocumentBytes: 1 << 20 },
    new RateLimiter(1 << 20),
  );
}

/** A new client's awareness update announcing a cursor, as an editor binding sends it. */
export function announcement(cursor = 1): Uint8Array {
  const awareness = new Awareness(new Y.Doc());
  awareness.setLocalStateField("cursor", { anchor: cursor });
  const update = encodeAwarenessUpdate(awareness, [awareness.clientID]);
  awareness.destroy();
  return update;
}

export interface RecordedRelay extends AwarenessDelivery {
  update: Uint8Array;
}

/** A document's awareness whose relays are recorded; `relayCount(n)` resolves once n have gone out. */
export function recordingAwareness(audience: () => number) {
  const relays: RecordedRelay[] = [];
  let heard: (() => void) | undefined;
  const awareness = new DocumentAwareness(
    new Y.Doc(),
    new ClientIds(),
    limits,
    (update, delivery) => {
      relays.push({ update, ...delivery });
      heard?.();
    },
    () => true,
    audience,
  );
  const relayCount = (count: number) =>
    new Promise<void>((resolve) => {
      heard = () => relays.length >= count && resolve();
      heard();
    });
  return { awareness, relays, relayCount };
}
