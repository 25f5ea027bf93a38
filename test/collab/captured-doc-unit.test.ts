import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { CapturedDoc } from "../../src/collab/captured-doc.js";

const textOf = (update: Uint8Array) => {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, update);
  return doc.getText("body").toString();
};

describe("what a state vector lacks", () => {
  it("gives a newcomer with nothing the whole state, encoded once until the document changes", () => {
    const shared = new CapturedDoc();
    shared.doc.getText("body").insert(0, "hello");
    const empty = Y.encodeStateVector(new Y.Doc());

    const first = shared.missingFrom(empty);
    expect(textOf(first)).toBe("hello");
    expect(shared.missingFrom(empty)).toBe(first);

    shared.doc.getText("body").insert(5, " world");
    const second = shared.missingFrom(empty);
    expect(second).not.toBe(first);
    expect(textOf(second)).toBe("hello world");
  });

  it("gives a client that has some of it only the rest", () => {
    const shared = new CapturedDoc();
    const client = new Y.Doc();
    shared.doc.getText("body").insert(0, "hello");
    Y.applyUpdate(client, Y.encodeStateAsUpdate(shared.doc));
    shared.doc.getText("body").insert(5, "!");

    const missing = shared.missingFrom(Y.encodeStateVector(client));
    expect(Y.decodeUpdate(missing).structs).toHaveLength(1);
    Y.applyUpdate(client, missing);
    expect(client.getText("body").toString()).toBe("hello!");
  });
});
