import { describe, expect, it } from "vitest";
import { Awareness, encodeAwarenessUpdate } from "y-protocols/awareness";
import * as Y from "yjs";
import { readAwarenessUpdate } from "../../src/collab/awareness-messages.js";
import { ClientIds } from "../../src/collab/client-ids.js";
import { CollabConnection } from "../../src/collab/connection.js";
import { DocumentAwareness } from "../../src/collab/document-awareness.js";
import { RateLimiter } from "../../src/collab/limits.js";

const limits = { awarenessClientsPerConnection: 4, maxAwarenessStateBytes: 8192, relayIntervalMs: 5 };

function connection(id: string) {
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

/** A client's awareness update announcing a cursor, as an editor binding sends it. */
function announcement(): Uint8Array {
  const awareness = new Awareness(new Y.Doc());
  awareness.setLocalStateField("cursor", { anchor: 1 });
  const update = encodeAwarenessUpdate(awareness, [awareness.clientID]);
  awareness.destroy();
  return update;
}

type Relay = { clients: number; except: string | undefined; droppable: boolean };

function document(audience: () => number) {
  const relays: Relay[] = [];
  let heard: (() => void) | undefined;
  const awareness = new DocumentAwareness(
    new Y.Doc(),
    new ClientIds(),
    limits,
    (update, { except, droppable }) => {
      relays.push({ clients: readAwarenessUpdate(update).length, except, droppable });
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

describe("DocumentAwareness relays", () => {
  it("relays a lone change at once, skipping its sender", () => {
    const { awareness, relays } = document(() => 2);
    awareness.receive(connection("a"), announcement());
    expect(relays).toEqual([{ clients: 1, except: "a", droppable: true }]);
    awareness.destroy();
  });

  it("tells a crowd's arrivals in one merged relay to everyone after the first, whatever its size", async () => {
    const { awareness, relays, relayCount } = document(() => 1000);
    for (let i = 0; i < 200; i++) awareness.receive(connection(`c${i}`), announcement());
    expect(relays).toHaveLength(1);
    // A thousand sockets: the next relay waits 250 ms, and carries the other 199 states at once.
    await relayCount(2);
    expect(relays[1]).toEqual({ clients: 199, except: undefined, droppable: true });
    awareness.destroy();
  });

  it("never drops a merged removal: a relay holding one is not volatile", async () => {
    const { awareness, relays, relayCount } = document(() => 20);
    const leaving = connection("leaving");
    awareness.receive(leaving, announcement());
    awareness.receive(connection("other"), announcement());
    awareness.removeConnection(leaving);
    await relayCount(2);
    expect(relays[1]).toMatchObject({ clients: 2, except: undefined, droppable: false });
    awareness.destroy();
  });
});
