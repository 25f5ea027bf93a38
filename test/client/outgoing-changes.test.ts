import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import { type ChangeChannel, OutgoingChanges } from "../../src/client/outgoing-changes.js";
import type { AckResponse, WireError } from "../../src/protocol/events.js";

type Ack = (timedOut: Error | null, response: AckResponse) => void;

/** A channel whose sends wait for the test to answer them. */
function fakeChannel() {
  const sent: Array<{ type: number; ack: Ack }> = [];
  const counts: number[] = [];
  const refusals: WireError[] = [];
  let open = true;
  const channel: ChangeChannel = {
    isOpen: () => open,
    send: (message, ack) => sent.push({ type: message[0] as number, ack }),
    unsyncedChanged: (count) => counts.push(count),
    stored: () => {},
    refused: (error) => refusals.push(error),
    retrying: (error) => refusals.push(error),
  };
  return {
    channel,
    sent,
    counts,
    refusals,
    setOpen(value: boolean) {
      open = value;
    },
  };
}

function anUpdate(text: string): Uint8Array {
  const doc = new Y.Doc();
  doc.getText("t").insert(0, text);
  return Y.encodeStateAsUpdate(doc);
}

const stored: AckResponse = { ok: true };
const refused = (code: WireError["code"]): AckResponse => ({ ok: false, error: { code, message: code } });

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("OutgoingChanges", () => {
  it("merges a synchronous burst into one message, unsynced until stored", async () => {
    const fake = fakeChannel();
    const outgoing = new OutgoingChanges(fake.channel);
    outgoing.queue(anUpdate("a"));
    outgoing.queue(anUpdate("b"));
    expect(outgoing.count).toBe(1);
    await Promise.resolve();
    expect(fake.sent).toHaveLength(1);
    expect(fake.sent[0]?.type).toBe(syncProtocol.messageYjsUpdate);
    fake.sent[0]?.ack(null, stored);
    expect(outgoing.count).toBe(0);
    expect(fake.counts).toEqual([1, 0]);
  });

  it("keeps a change refused for now, or left unanswered, unsynced and sends it again", async () => {
    const fake = fakeChannel();
    const outgoing = new OutgoingChanges(fake.channel);
    outgoing.queue(anUpdate("a"));
    await Promise.resolve();
    fake.sent[0]?.ack(null, refused("UNAVAILABLE"));
    expect(outgoing.count).toBe(1);
    await vi.runOnlyPendingTimersAsync();
    expect(fake.sent).toHaveLength(2);
    fake.sent[1]?.ack(new Error("timed out"), undefined as never);
    expect(outgoing.count).toBe(1);
    await vi.runOnlyPendingTimersAsync();
    expect(fake.sent).toHaveLength(3);
    fake.sent[2]?.ack(null, stored);
    expect(outgoing.count).toBe(0);
    expect(fake.refusals.map((error) => error.code)).toEqual(["UNAVAILABLE"]);
  });

  it("drops a change refused for good, saying why", async () => {
    const fake = fakeChannel();
    const outgoing = new OutgoingChanges(fake.channel);
    outgoing.queue(anUpdate("a"));
    await Promise.resolve();
    fake.sent[0]?.ack(null, refused("READ_ONLY"));
    expect(outgoing.count).toBe(0);
    await vi.runOnlyPendingTimersAsync();
    expect(fake.sent).toHaveLength(1);
  });

  it("counts changes made offline and in flight at a drop; the next sync step 2 settles them all", async () => {
    const fake = fakeChannel();
    const outgoing = new OutgoingChanges(fake.channel);
    outgoing.queue(anUpdate("in flight"));
    await Promise.resolve();
    fake.setOpen(false);
    fake.sent[0]?.ack(new Error("socket has been disconnected"), undefined as never);
    outgoing.queue(anUpdate("offline"));
    await Promise.resolve();
    expect(outgoing.count).toBe(2);
    await vi.runOnlyPendingTimersAsync();
    expect(fake.sent).toHaveLength(1); // nothing is sent while closed

    fake.setOpen(true);
    outgoing.sendStep2(anUpdate("everything the server lacks"));
    expect(outgoing.count).toBe(3);
    expect(fake.sent[1]?.type).toBe(syncProtocol.messageYjsSyncStep2);
    fake.sent[1]?.ack(null, stored);
    expect(outgoing.count).toBe(0);
    expect(fake.counts.at(-1)).toBe(0);
  });

  it("keeps a change the server must resync for, neither refused nor resent: the step 2 answering it settles it", async () => {
    const fake = fakeChannel();
    const outgoing = new OutgoingChanges(fake.channel);
    outgoing.queue(anUpdate("built on changes the server lacks"));
    await Promise.resolve();
    // The server's sync step 1 arrives before the refusal's ack; the answer to it carries the change.
    outgoing.sendStep2(anUpdate("everything the server lacks"));
    fake.sent[0]?.ack(null, refused("RESYNC"));
    expect(outgoing.count).toBe(2);
    await vi.runOnlyPendingTimersAsync();
    expect(fake.sent).toHaveLength(2);
    expect(fake.refusals).toEqual([]);
    fake.sent[1]?.ack(null, stored);
    expect(outgoing.count).toBe(0);
  });
});
