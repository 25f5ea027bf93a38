import * as encoding from "lib0/encoding";
import { describe, expect, it } from "vitest";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import { DocumentSync, type SyncChannel } from "../../src/client/document-sync.js";
import type { AckResponse, ErrorCode, WireError } from "../../src/protocol/events.js";

type Ack = (timedOut: Error | null, response: AckResponse) => void;

/** A connection whose acknowledged sends wait for the test to answer them. */
function fakeChannel() {
  const sent: Array<{ type: number; ack: Ack | undefined }> = [];
  const errors: WireError[] = [];
  const reverted: Array<[ErrorCode, number]> = [];
  const channel: SyncChannel = {
    isOpen: () => true,
    send: (message, ack) => sent.push({ type: message[0] as number, ack }),
    unsyncedChanged: () => {},
    synced: () => {},
    error: (error) => errors.push(error),
    reverted: (code, edits) => reverted.push([code, edits]),
  };
  return { channel, sent, errors, reverted };
}

const stored: AckResponse = { ok: true };
const refused = (code: ErrorCode): AckResponse => ({ ok: false, error: { code, message: code } });
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A document holding `text` as if it came from the server (applied with the remote origin). */
function docWithServerText(origin: unknown, text: string): Y.Doc {
  const server = new Y.Doc();
  server.getText("body").insert(0, text);
  const doc = new Y.Doc();
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(server), origin);
  return doc;
}

describe("DocumentSync", () => {
  it("undoes a change the server refused as READ_ONLY, keeping the stored ones before it", async () => {
    const origin = {};
    const doc = docWithServerText(origin, "base.");
    const fake = fakeChannel();
    const sync = new DocumentSync(doc, fake.channel, origin);
    const body = doc.getText("body");

    body.insert(5, "STORED.");
    await flush();
    fake.sent[0]?.ack?.(null, stored);
    body.insert(12, "REFUSED.");
    await flush();
    body.delete(0, 5); // a deletion of the server's text, refused too
    await flush();
    expect(body.toString()).toBe("STORED.REFUSED.");

    fake.sent[1]?.ack?.(null, refused("READ_ONLY"));
    fake.sent[2]?.ack?.(null, refused("READ_ONLY"));
    expect(body.toString()).toBe("base.STORED.");
    expect(sync.unsyncedChanges).toBe(0);
    expect(fake.reverted).toEqual([["READ_ONLY", 1]]); // once per read-only spell, not per change
    expect(fake.errors).toEqual([]);
    sync.destroy();
  });

  it("sends nothing while read-only and undoes each local edit at once", async () => {
    const origin = {};
    const doc = docWithServerText(origin, "shared");
    const fake = fakeChannel();
    const sync = new DocumentSync(doc, fake.channel, origin);
    sync.setReadOnly(true);
    doc.getText("body").insert(0, "a");
    doc.getText("body").insert(0, "b");
    await flush();
    expect(doc.getText("body").toString()).toBe("shared");
    expect(fake.sent).toEqual([]);
    expect(sync.unsyncedChanges).toBe(0);
    expect(fake.reverted).toEqual([["READ_ONLY", 1]]);

    // Promoted: edits travel again, and a later demotion is told again.
    sync.setReadOnly(false);
    doc.getText("body").insert(0, "c");
    await flush();
    expect(fake.sent.map((each) => each.type)).toEqual([syncProtocol.messageYjsUpdate]);
    sync.setReadOnly(true);
    doc.getText("body").insert(0, "d");
    await flush();
    expect(fake.reverted).toHaveLength(2);
    sync.destroy();
  });

  it("undoes what a refused sync step 2 carried, but not the changes stored before it", async () => {
    const origin = {};
    const doc = docWithServerText(origin, "x");
    const fake = fakeChannel();
    const sync = new DocumentSync(doc, fake.channel, origin);
    doc.getText("body").insert(1, "1");
    await flush();
    doc.getText("body").insert(2, "2");
    await flush();
    fake.sent[0]?.ack?.(null, stored);
    // A reconnect: the server's step 1 is answered with a step 2 covering the unstored change.
    const serverState = new Y.Doc();
    const encoder = encoding.createEncoder();
    syncProtocol.writeSyncStep1(encoder, serverState);
    sync.receive(encoding.toUint8Array(encoder));
    expect(fake.sent[2]?.type).toBe(syncProtocol.messageYjsSyncStep2);
    fake.sent[2]?.ack?.(null, refused("TOO_LARGE"));
    expect(doc.getText("body").toString()).toBe("x1");
    expect(fake.reverted).toEqual([["TOO_LARGE", 1]]);
    expect(fake.errors.map((error) => error.code)).toEqual(["TOO_LARGE"]);
    sync.destroy();
  });

  it("leaves the server's own changes alone and forgets an edit once stored", async () => {
    const origin = {};
    const doc = docWithServerText(origin, "");
    const fake = fakeChannel();
    const sync = new DocumentSync(doc, fake.channel, origin);
    doc.getText("body").insert(0, "mine");
    await flush();
    fake.sent[0]?.ack?.(null, stored);
    const remote = new Y.Doc();
    Y.applyUpdate(remote, Y.encodeStateAsUpdate(doc));
    remote.getText("body").insert(4, " theirs");
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(remote, Y.encodeStateVector(doc)), origin);
    expect(fake.sent).toHaveLength(1); // the server's change is not sent back
    sync.setReadOnly(true);
    doc.getText("body").insert(0, "x");
    await flush();
    expect(doc.getText("body").toString()).toBe("mine theirs");
    sync.destroy();
  });
});
