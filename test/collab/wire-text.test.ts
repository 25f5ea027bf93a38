import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { fetchDocument } from "../helpers/collab.js";
import { useService } from "../helpers/lifecycle.js";
import { projectWithTeam } from "../helpers/projects.js";
import { bytesOf, insertion, rawClient, updateMessage } from "../helpers/raw-yjs.js";

const running = useService();

describe("yjs payloads as binary or base64 text", () => {
  it("accepts an update as base64 text and relays it to the room as base64 text", async () => {
    const team = await projectWithTeam(running.url);
    const writer = await rawClient(running.url, team.owner.token, team.projectId);
    const reader = await rawClient(running.url, team.editor.token, team.projectId);
    const relayed = new Promise<unknown>((resolve) =>
      reader.socket.once("yjs:sync", (_projectId, payload) => resolve(payload)),
    );
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
});
