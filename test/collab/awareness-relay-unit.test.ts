import { describe, expect, it } from "vitest";
import { readAwarenessUpdate } from "../../src/collab/awareness-messages.js";
import { announcement, fakeConnection, type RecordedRelay, recordingAwareness } from "../helpers/awareness-fakes.js";

const summary = (relay: RecordedRelay | undefined) =>
  relay && { clients: readAwarenessUpdate(relay.update).length, except: relay.except, droppable: relay.droppable };

describe("DocumentAwareness relays", () => {
  it("relays a lone change at once, skipping its sender", () => {
    const { awareness, relays } = recordingAwareness(() => 2);
    awareness.receive(fakeConnection("a"), announcement());
    expect(relays.map(summary)).toEqual([{ clients: 1, except: "a", droppable: true }]);
    awareness.destroy();
  });

  it("tells a crowd's arrivals in one merged relay to everyone after the first, whatever its size", async () => {
    const { awareness, relays, relayCount } = recordingAwareness(() => 1000);
    for (let i = 0; i < 200; i++) awareness.receive(fakeConnection(`c${i}`), announcement());
    expect(relays).toHaveLength(1);
    // A thousand sockets: the next relay waits 250 ms, and carries the other 199 states at once.
    await relayCount(2);
    expect(summary(relays[1])).toEqual({ clients: 199, except: undefined, droppable: true });
    awareness.destroy();
  });

  it("never drops a merged removal: a relay holding one is not volatile", async () => {
    const { awareness, relays, relayCount } = recordingAwareness(() => 20);
    const leaving = fakeConnection("leaving");
    awareness.receive(leaving, announcement());
    awareness.receive(fakeConnection("other"), announcement());
    awareness.removeConnection(leaving);
    await relayCount(2);
    expect(summary(relays[1])).toEqual({ clients: 2, except: undefined, droppable: false });
    awareness.destroy();
  });
});
