import * as encoding from "lib0/encoding";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { fetchDocument } from "../helpers/collab.js";
import { useService } from "../helpers/lifecycle.js";
import { projectWithTeam } from "../helpers/projects.js";
import { encodeMessage, insertion, rawClient, serverStep1, updateMessage } from "../helpers/raw-yjs.js";
import { nextEvent } from "../helpers/sockets.js";

const running = useService({ MAX_UPDATE_BYTES: "4096", DOC_MESSAGES_PER_SECOND: "20" });

describe("bad document input", () => {
  it("refuses garbage, truncated and mis-typed messages with INVALID_UPDATE and keeps the document intact", async () => {
    const team = await projectWithTeam(running.url);
    const client = await rawClient(running.url, team.editor.token, team.projectId);
    expect(await client.sync(team.projectId, updateMessage(insertion("intact")))).toEqual({ ok: true });

    const good = updateMessage(insertion("more"));
    const garbage = [
      new Uint8Array([]),
      new Uint8Array([2]),
      new Uint8Array([9, 1, 0]),
      new Uint8Array([2, 200, 1, 1, 2, 3]),
      good.subarray(0, good.length - 3),
      new Uint8Array([...good, 7, 7]),
      encodeMessage((encoder) => {
        encoding.writeVarUint(encoder, 2);
        encoding.writeVarUint8Array(encoder, new Uint8Array([255, 255, 255, 255, 15, 1, 2, 3]));
      }),
      encodeMessage((encoder) => {
        encoding.writeVarUint(encoder, 0);
        encoding.writeVarUint8Array(encoder, new Uint8Array([5, 1]));
      }),
      new Uint8Array(64).fill(0xff),
    ];
    for (const message of garbage) {
      const response = await client.sync(team.projectId, message);
      expect(response, Buffer.from(message).toString("hex")).toMatchObject({
        ok: false,
        error: { code: "INVALID_UPDATE" },
      });
    }
    for (const wrongType of ["not base64!", "abc", "QQ=A", 42, null, { 0: 1 }]) {
      const response = await client.sync(team.projectId, wrongType as never);
      expect(response).toMatchObject({ ok: false, error: { code: "VALIDATION" } });
    }
    expect((await fetchDocument(running.url, team.owner.token, team.projectId)).getText("body").toString()).toBe(
      "intact",
    );
    expect(client.socket.connected).toBe(true);
  });

  it("refuses updates above the size limit with TOO_LARGE, on both events", async () => {
    const team = await projectWithTeam(running.url);
    const client = await rawClient(running.url, team.editor.token, team.projectId);
    const big = updateMessage(insertion("x".repeat(5000)));
    expect(await client.sync(team.projectId, big)).toMatchObject({ ok: false, error: { code: "TOO_LARGE" } });
    const error = nextEvent(client.socket, "yjs:error");
    client.socket.emit("yjs:awareness", team.projectId, new Uint8Array(5000));
    expect(await error).toEqual({ projectId: team.projectId, code: "TOO_LARGE" });
    expect((await fetchDocument(running.url, team.owner.token, team.projectId)).getText("body").toString()).toBe("");
  });

  it("asks a client to resync instead of holding an update whose dependencies are missing", async () => {
    const team = await projectWithTeam(running.url);
    const client = await rawClient(running.url, team.editor.token, team.projectId);
    const local = new Y.Doc();
    local.getText("body").insert(0, "one ");
    const afterFirst = Y.encodeStateVector(local);
    local.getText("body").insert(4, "two");
    const onlySecond = Y.encodeStateAsUpdate(local, afterFirst);
    const resync = serverStep1(client.socket);
    const response = await client.sync(team.projectId, updateMessage(onlySecond));
    expect(response).toMatchObject({ ok: false, error: { code: "RESYNC" } });
    await resync;
    expect((await fetchDocument(running.url, team.owner.token, team.projectId)).getText("body").toString()).toBe("");
  });

  it("does not hold an update that depends on another client's changes the server lacks", async () => {
    const team = await projectWithTeam(running.url);
    const client = await rawClient(running.url, team.editor.token, team.projectId);
    // B's change never reaches the server; A's change is anchored on it.
    const docB = new Y.Doc();
    docB.getText("body").insert(0, "from B ");
    const docA = new Y.Doc();
    Y.applyUpdate(docA, Y.encodeStateAsUpdate(docB));
    const before = Y.encodeStateVector(docA);
    docA.getText("body").insert(7, "from A");
    const dependent = Y.encodeStateAsUpdate(docA, before);
    const resync = serverStep1(client.socket);
    expect(await client.sync(team.projectId, updateMessage(dependent))).toMatchObject({
      ok: false,
      error: { code: "RESYNC" },
    });
    await resync;
    // Nothing is held: once B's change arrives, A's does not appear by itself.
    expect(await client.sync(team.projectId, updateMessage(Y.encodeStateAsUpdate(docB)))).toEqual({ ok: true });
    const stored = await fetchDocument(running.url, team.owner.token, team.projectId);
    expect(stored.getText("body").toString()).toBe("from B ");
  });

  it("rate-limits a flood of document messages with RATE_LIMITED", async () => {
    const team = await projectWithTeam(running.url);
    const client = await rawClient(running.url, team.editor.token, team.projectId);
    const responses = await Promise.all(
      Array.from({ length: 80 }, (_, i) => client.sync(team.projectId, updateMessage(insertion(`${i}`)))),
    );
    const limited = responses.filter((response) => !response.ok && response.error.code === "RATE_LIMITED");
    expect(limited.length).toBeGreaterThan(0);
    expect(responses.filter((response) => response.ok).length).toBeGreaterThan(0);
    expect(client.socket.connected).toBe(true);
  });
});
