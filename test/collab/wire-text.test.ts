import * as decoding from "lib0/decoding";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { LARGEST_TEXT_PAYLOAD_BYTES, LARGEST_TEXT_PAYLOAD_TO_ONE_BYTES } from "../../src/protocol/wire-bytes.js";
import { fetchDocument } from "../helpers/collab.js";
import { useService } from "../helpers/lifecycle.js";
import { projectWithTeam } from "../helpers/projects.js";
import { bytesOf, insertion, rawClient, step1Message, updateMessage } from "../helpers/raw-yjs.js";
import { connectProjects, openProject } from "../helpers/sockets.js";

const running = useService();

/** The owner writes, an editor reads; `relayed` is the next sync payload the reader receives. */
async function writerAndReader() {
  const team = await projectWithTeam(running.url);
  const writer = await rawClient(running.url, team.owner.token, team.projectId);
  const reader = await rawClient(running.url, team.editor.token, team.projectId);
  const relayed = new Promise<unknown>((resolve) =>
    reader.socket.once("yjs:sync", (_projectId, payload) => resolve(payload)),
  );
  return { team, writer, reader, relayed };
}

describe("yjs payloads as binary or base64 text", () => {
  it("accepts an update as base64 text and relays it to the room as base64 text", async () => {
    const { team, writer, reader, relayed } = await writerAndReader();
    const message = updateMessage(insertion("sent as text"));
    const text = Buffer.from(message).toString("base64");
    expect(await writer.sync(team.projectId, text)).toEqual({ ok: true });

    const received = await relayed;
    expect(typeof received).toBe("string");
    expect(reader.doc.getText("body").toString()).toBe("sent as text");
    expect(bytesOf(received as string)[0]).toBe(2);
    expect((await fetchDocument(running.url, team.owner.token, team.projectId)).getText("body").toString()).toBe(
      "sent as text",
    );
  });

  it("stores the same bytes whichever way they came", async () => {
    const team = await projectWithTeam(running.url);
    const client = await rawClient(running.url, team.owner.token, team.projectId);
    const source = new Y.Doc();
    source.getText("body").insert(0, "binary ");
    const first = Y.encodeStateAsUpdate(source);
    const before = Y.encodeStateVector(source);
    source.getText("body").insert(7, "text");
    const second = Y.encodeStateAsUpdate(source, before);
    expect(await client.sync(team.projectId, updateMessage(first))).toEqual({ ok: true });
    const asText = Buffer.from(updateMessage(second)).toString("base64");
    expect(await client.sync(team.projectId, asText)).toEqual({ ok: true });
    const stored = await fetchDocument(running.url, team.owner.token, team.projectId);
    expect(Y.encodeStateAsUpdate(stored)).toEqual(Y.encodeStateAsUpdate(source));
  });

  it("sends payloads past the text limit as binary: a large paste's relay, and a large document's sync step 2", async () => {
    const { team, writer, reader, relayed } = await writerAndReader();
    const paste = "x".repeat(LARGEST_TEXT_PAYLOAD_BYTES + 1);
    expect(await writer.sync(team.projectId, updateMessage(insertion(paste)))).toEqual({ ok: true });
    expect(Buffer.isBuffer(await relayed)).toBe(true);
    expect(reader.doc.getText("body").length).toBe(paste.length);

    // Someone opening the project now receives the whole document in the server's sync step 2.
    const late = await connectProjects(running.url, team.viewer.token);
    const payloads = new Map<number, unknown>();
    const step2 = new Promise<unknown>((resolve) =>
      late.on("yjs:sync", (_projectId, payload) => {
        const type = bytesOf(payload as string | Uint8Array)[0] as number;
        payloads.set(type, payload);
        if (type === 1) resolve(payload);
      }),
    );
    expect((await openProject(late, team.projectId)).ok).toBe(true);
    late.emit("yjs:sync", team.projectId, step1Message(new Y.Doc()));
    const received = await step2;
    expect(Buffer.isBuffer(received)).toBe(true);
    // The server's own step 1 is a few bytes: still text.
    expect(typeof payloads.get(0)).toBe("string");
    const decoder = decoding.createDecoder(bytesOf(received as Uint8Array));
    decoding.readVarUint(decoder);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, decoding.readVarUint8Array(decoder));
    expect(doc.getText("body").length).toBe(paste.length);
  });

  it("sends a payload for one socket as binary past a few KiB, where the same to the room stays text", async () => {
    const { team, writer, relayed } = await writerAndReader();
    const paste = "y".repeat(LARGEST_TEXT_PAYLOAD_TO_ONE_BYTES + 1);
    expect(await writer.sync(team.projectId, updateMessage(insertion(paste)))).toEqual({ ok: true });
    // A relay is framed once for the whole room: text, up to the room's limit.
    expect(typeof (await relayed)).toBe("string");

    const late = await connectProjects(running.url, team.viewer.token);
    const step2 = new Promise<unknown>((resolve) =>
      late.on("yjs:sync", (_projectId, payload) => {
        if (bytesOf(payload as string | Uint8Array)[0] === 1) resolve(payload);
      }),
    );
    expect((await openProject(late, team.projectId)).ok).toBe(true);
    late.emit("yjs:sync", team.projectId, step1Message(new Y.Doc()));
    // The answer is this socket's alone: binary.
    const received = await step2;
    expect(Buffer.isBuffer(received)).toBe(true);
    const decoder = decoding.createDecoder(bytesOf(received as Uint8Array));
    decoding.readVarUint(decoder);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, decoding.readVarUint8Array(decoder));
    expect(doc.getText("body").toString()).toBe(paste);
  });
});
