import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { ClientIds, MAX_CLOCK_ADVANCE } from "../../src/collab/client-ids.js";
import { readSyncMessage } from "../../src/collab/sync-messages.js";
import { updateMessage } from "../helpers/raw-yjs.js";

/** The clock ranges of an update, as the document reads them from a message. */
function rangesOf(update: Uint8Array) {
  const parsed = readSyncMessage(updateMessage(update));
  if (parsed.type === "step1") throw new Error("not an update");
  return parsed.clocks;
}

function typed(doc: Y.Doc, text: string): Uint8Array {
  const before = Y.encodeStateVector(doc);
  doc.getText("t").insert(0, text);
  return Y.encodeStateAsUpdate(doc, before);
}

describe("ClientIds", () => {
  it("binds a new client id to the user who adds structs under it; others may not add any", () => {
    const server = new Y.Doc();
    const ids = new ClientIds();
    const alice = new Y.Doc();
    const first = typed(alice, "a");
    expect(ids.checkAdditions(server, rangesOf(first), "alice")).toEqual({ adds: true, unbound: [alice.clientID] });
    Y.applyUpdate(server, first);
    expect(ids.bind([alice.clientID], "alice")).toEqual([{ clientId: alice.clientID, userId: "alice" }]);

    const next = typed(alice, "b");
    expect(() => ids.checkAdditions(server, rangesOf(next), "mallory")).toThrow(
      expect.objectContaining({ code: "FORBIDDEN" }),
    );
    expect(ids.checkAdditions(server, rangesOf(next), "alice")).toEqual({ adds: true, unbound: [] });
  });

  it("lets anyone resend structs the document already has, and delete them", () => {
    const server = new Y.Doc();
    const ids = new ClientIds();
    const alice = new Y.Doc();
    const update = typed(alice, "abc");
    Y.applyUpdate(server, update);
    ids.bind([alice.clientID], "alice");
    expect(ids.checkAdditions(server, rangesOf(Y.encodeStateAsUpdate(server)), "bob")).toEqual({
      adds: false,
      unbound: [],
    });
    const bob = new Y.Doc();
    Y.applyUpdate(bob, Y.encodeStateAsUpdate(server));
    const before = Y.encodeStateVector(bob);
    bob.getText("t").delete(0, 2);
    expect(ids.checkAdditions(server, rangesOf(Y.encodeStateAsUpdate(bob, before)), "bob").adds).toBe(false);
  });

  it("shares ownership between awareness and the document, and loads stored bindings", () => {
    const ids = new ClientIds();
    ids.load([{ clientId: 7, userId: "alice" }]);
    expect(ids.claim(7, "mallory")).toBe(false);
    expect(ids.claim(7, "alice")).toBe(true);
    expect(ids.claim(8, "bob")).toBe(true);
    expect(ids.ownerOf(8)).toBe("bob");
    expect(ids.bind([8], "bob")).toEqual([{ clientId: 8, userId: "bob" }]);
    expect(ids.bind([8], "bob")).toEqual([]);
  });

  it("bounds how far one update moves a clock", () => {
    const ranges = new Map([[42, { start: 0, end: MAX_CLOCK_ADVANCE + 1 }]]);
    expect(() => new ClientIds().checkAdditions(new Y.Doc(), ranges, "alice")).toThrow(
      expect.objectContaining({ code: "INVALID_UPDATE" }),
    );
  });
});
