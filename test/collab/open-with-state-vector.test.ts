import type { Socket } from "socket.io-client";
import { describe, expect, it } from "vitest";
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from "y-protocols/awareness";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import type { AckResponse, OpenResult } from "../../src/protocol/events.js";
import { toWire } from "../../src/protocol/wire-bytes.js";
import { useService } from "../helpers/lifecycle.js";
import { projectWithTeam } from "../helpers/projects.js";
import { bytesOf, encodeMessage, insertion, rawClient, updateMessage } from "../helpers/raw-yjs.js";
import { connectProjects, nextEvent, type ProjectsClient } from "../helpers/sockets.js";

const running = useService();

function openWith(socket: ProjectsClient, projectId: string, options: unknown): Promise<AckResponse<OpenResult>> {
  return (socket.timeout(5000) as unknown as Socket).emitWithAck("project:open", projectId, options);
}

function syncOf(response: AckResponse<OpenResult>) {
  if (!response.ok || !response.sync) throw new Error(`no sync in the ack: ${JSON.stringify(response)}`);
  return { update: bytesOf(response.sync.update), stateVector: bytesOf(response.sync.stateVector) };
}

describe("project:open with the client's state vector", () => {
  it("carries what the client lacks and the server's state vector in the ack; no sync step 1 follows", async () => {
    const team = await projectWithTeam(running.url);
    const writer = await rawClient(running.url, team.owner.token, team.projectId);
    expect(await writer.sync(team.projectId, updateMessage(insertion("Hello")))).toEqual({ ok: true });

    const socket = await connectProjects(running.url, team.editor.token);
    const doc = new Y.Doc();
    const firstSync = new Promise<Uint8Array>((resolve) =>
      socket.once("yjs:sync", (_projectId, message) => resolve(bytesOf(message))),
    );
    const opened = await openWith(socket, team.projectId, { stateVector: toWire(Y.encodeStateVector(doc)) });
    expect(opened).toMatchObject({ ok: true, role: "editor", readOnly: false });
    const { update, stateVector } = syncOf(opened);
    Y.applyUpdate(doc, update);
    expect(doc.getText("body").toString()).toBe("Hello");
    expect(Y.decodeStateVector(stateVector)).toEqual(Y.decodeStateVector(Y.encodeStateVector(doc)));

    // The next document message this socket hears is the writer's next change, not a handshake message.
    await writer.sync(team.projectId, updateMessage(insertion("!", doc)));
    expect((await firstSync)[0]).toBe(syncProtocol.messageYjsUpdate);
  });

  it("answers only what the client lacks, and stores the client's answer of what the server lacks", async () => {
    const team = await projectWithTeam(running.url);
    const writer = await rawClient(running.url, team.owner.token, team.projectId);
    const shared = new Y.Doc();
    shared.getText("body").insert(0, "shared");
    await writer.sync(team.projectId, updateMessage(Y.encodeStateAsUpdate(shared)));

    // A client that holds the shared text already, and an edit of its own made offline.
    const doc = new Y.Doc();
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(shared));
    const before = Y.encodeStateVector(doc);
    doc.getText("body").insert(0, "offline ");

    const socket = await connectProjects(running.url, team.editor.token);
    const { update, stateVector } = syncOf(await openWith(socket, team.projectId, { stateVector: toWire(before) }));
    expect(Y.decodeUpdate(update).structs).toHaveLength(0);

    const answer = encodeMessage((encoder) => syncProtocol.writeSyncStep2(encoder, doc, stateVector));
    const ack = await (socket.timeout(5000) as unknown as Socket).emitWithAck("yjs:sync", team.projectId, answer);
    expect(ack).toEqual({ ok: true });
    const served = await fetch(`${running.url}/api/projects/${team.projectId}/document`, {
      headers: { authorization: `Bearer ${team.viewer.token}` },
    });
    const copy = new Y.Doc();
    Y.applyUpdate(copy, new Uint8Array(await served.arrayBuffer()));
    expect(copy.getText("body").toString()).toBe("offline shared");
  });

  it("carries the room's awareness states, stamped with their owners", async () => {
    const team = await projectWithTeam(running.url);
    const present = await rawClient(running.url, team.owner.token, team.projectId);
    const watcher = await rawClient(running.url, team.viewer.token, team.projectId);
    const relayed = nextEvent(watcher.socket, "yjs:awareness");
    const awareness = new Awareness(present.doc);
    awareness.setLocalStateField("cursor", { anchor: 3 });
    present.socket.emit("yjs:awareness", team.projectId, encodeAwarenessUpdate(awareness, [awareness.clientID]));
    // Once it has reached another member, the room holds the owner's state.
    await relayed;

    const socket = await connectProjects(running.url, team.editor.token);
    const opened = await openWith(socket, team.projectId, { stateVector: toWire(Y.encodeStateVector(new Y.Doc())) });
    if (!opened.ok || !opened.awareness) throw new Error("no awareness in the ack");
    const seen = new Awareness(new Y.Doc());
    applyAwarenessUpdate(seen, bytesOf(opened.awareness), "server");
    expect(seen.getStates().get(awareness.clientID)).toMatchObject({
      cursor: { anchor: 3 },
      user: { id: team.owner.user.id },
    });
  });

  it("refuses a malformed state vector or options with VALIDATION, and leaves the socket outside the room", async () => {
    const team = await projectWithTeam(running.url);
    const socket = await connectProjects(running.url, team.editor.token);
    for (const options of [
      { stateVector: "not base64!" },
      { stateVector: 42 },
      "text",
      { stateVector: toWire(new Uint8Array([5])) },
    ]) {
      const refused = await openWith(socket, team.projectId, options);
      expect(refused).toMatchObject({ ok: false, error: { code: "VALIDATION" } });
    }
    const notOpen = await (socket.timeout(5000) as unknown as Socket).emitWithAck(
      "yjs:sync",
      team.projectId,
      updateMessage(insertion("x")),
    );
    expect(notOpen).toMatchObject({ ok: false, error: { code: "NOT_OPEN" } });
  });
});
