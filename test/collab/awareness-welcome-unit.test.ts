import { describe, expect, it } from "vitest";
import { Awareness, encodeAwarenessUpdate } from "y-protocols/awareness";
import * as Y from "yjs";
import { readAwarenessUpdate } from "../../src/collab/awareness-messages.js";
import { announcement, fakeConnection, recordingAwareness } from "../helpers/awareness-fakes.js";

/** One client's successive announcements: the same id, a higher clock each time. */
function announcer() {
  const awareness = new Awareness(new Y.Doc());
  return {
    next(cursor: number): Uint8Array {
      awareness.setLocalStateField("cursor", { anchor: cursor });
      return encodeAwarenessUpdate(awareness, [awareness.clientID]);
    },
    destroy: () => awareness.destroy(),
  };
}

const clientsOf = (update: Uint8Array | undefined) =>
  update ? readAwarenessUpdate(update).map((entry) => entry.clientId) : [];

describe("DocumentAwareness welcomes", () => {
  // A room of a thousand keeps entries encoded between changes; one of two encodes them each time.
  it.each([2, 1000])(
    "encodes states byte for byte as y-protocols does, after changes and departures (%i sockets)",
    async (sockets) => {
      const newcomer = fakeConnection("newcomer");
      const { awareness: document_, relayCount } = recordingAwareness(() => sockets);
      const first = fakeConnection("first");
      const second = fakeConnection("second");
      const firstClient = announcer();
      const all = () => [...document_.awareness.getStates().keys()];
      document_.receive(first, firstClient.next(1));
      document_.receive(second, announcement(2));
      // The second waited for the next relay: once relayed, a newcomer is told both.
      await relayCount(2);
      expect(all()).toHaveLength(2);
      expect(document_.encodeAll(newcomer)).toEqual(encodeAwarenessUpdate(document_.awareness, all()));
      document_.receive(first, firstClient.next(3));
      document_.removeConnection(second);
      await relayCount(3);
      expect(all()).toHaveLength(1);
      expect(readAwarenessUpdate(document_.encodeAll(newcomer) as Uint8Array)[0]?.state).toMatchObject({
        cursor: { anchor: 3 },
      });
      expect(document_.encodeAll(newcomer)).toEqual(encodeAwarenessUpdate(document_.awareness, all()));
      firstClient.destroy();
      document_.destroy();
    },
  );

  it("leaves states waiting for the next relay to that relay, which a newcomer behind must not miss", async () => {
    const newcomer = fakeConnection("newcomer");
    const { awareness: document_, relays, relayCount } = recordingAwareness(() => 1000);
    document_.receive(fakeConnection("a"), announcement(1));
    await relayCount(1);
    // A thousand sockets: the next relay waits 250 ms; these two wait for it.
    document_.receive(fakeConnection("b"), announcement(2));
    document_.receive(fakeConnection("c"), announcement(3));
    const [a, b, c] = [...document_.awareness.getStates().keys()];
    expect(clientsOf(document_.encodeAll(newcomer))).toEqual([a]);
    await relayCount(2);
    expect(clientsOf(relays[1]?.update).sort()).toEqual([b, c].sort());
    // A cursor move may still skip a socket that is behind, but not the newcomer it is owed to.
    expect(relays[1]).toMatchObject({ droppable: true, owed: new Set([newcomer.id]) });
    // Once relayed, a newcomer is told all three at once.
    expect(clientsOf(document_.encodeAll(newcomer)).sort()).toEqual([a, b, c].sort());
    document_.destroy();
  });

  it("tells a large room's newcomers between two relays the same bytes, until a state they hold changes", async () => {
    const { awareness: document_, relayCount } = recordingAwareness(() => 1000);
    const first = fakeConnection("first");
    const firstClient = announcer();
    document_.receive(first, firstClient.next(1));
    await relayCount(1);
    const [a] = [...document_.awareness.getStates().keys()];
    const told = document_.encodeAll(fakeConnection("n1"));
    expect(clientsOf(told)).toEqual([a]);
    // An arrival waits for the next relay: what newcomers are told stays the same, and is not encoded again.
    document_.receive(fakeConnection("b"), announcement(2));
    expect(document_.encodeAll(fakeConnection("n2"))).toBe(told);
    // A told state changed: newcomers must not be told its old cursor (it waits for the relay now).
    document_.receive(first, firstClient.next(5));
    expect(document_.encodeAll(fakeConnection("n3"))).toBeUndefined();
    await relayCount(2);
    const after = document_.encodeAll(fakeConnection("n4")) as Uint8Array;
    expect(readAwarenessUpdate(after).find((entry) => entry.clientId === a)?.state).toMatchObject({
      cursor: { anchor: 5 },
    });
    expect(clientsOf(after)).toHaveLength(2);
    firstClient.destroy();
    document_.destroy();
  });
});
