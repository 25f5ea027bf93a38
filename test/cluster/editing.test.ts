import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { writeAwarenessUpdate } from "../../src/collab/awareness-messages.js";
import { type TestCluster, useCluster } from "../helpers/cluster.js";
import { awarenessUntil, fetchDocument, provider, until, whenStored } from "../helpers/collab.js";
import { request } from "../helpers/http.js";
import { projectWithTeam } from "../helpers/projects.js";
import { rawClient } from "../helpers/raw-yjs.js";
import { roundTrip } from "../helpers/sockets.js";

const cluster = useCluster(2);

const text = (doc: Y.Doc) => doc.getText("body").toString();

describe("a project edited from two nodes", () => {
  it("converges, shows everyone's presence and cursors, and stores once", async () => {
    const [a, b] = cluster.nodes as [TestCluster["nodes"][0], TestCluster["nodes"][0]];
    const team = await projectWithTeam(a.url);
    const onA = provider(a.url, team.owner.token, team.projectId);
    const onB = provider(b.url, team.editor.token, team.projectId);
    await Promise.all([onA.whenSynced(), onB.whenSynced()]);

    onA.doc.getText("body").insert(0, "from A ");
    onB.doc.getText("body").insert(0, "from B ");
    await until([onA.doc, onB.doc], () => text(onA.doc) === text(onB.doc) && text(onA.doc).length === 14);
    await Promise.all([whenStored(onA), whenStored(onB)]);

    const presence = await request(b.url, "GET", `/api/projects/${team.projectId}/presence`, {
      token: team.editor.token,
    });
    expect(presence.body.online.map((user: { name: string }) => user.name).sort()).toEqual(["Editor", "Owner"]);

    onA.awareness.setLocalStateField("cursor", 3);
    await awarenessUntil(onB.awareness, (states) => states.get(onA.doc.clientID)?.cursor === 3);
    expect(onB.awareness.getStates().get(onA.doc.clientID)?.user).toEqual({ id: team.owner.user.id, name: "Owner" });

    for (const node of [a, b]) {
      const stored = await fetchDocument(node.url, team.viewer.token, team.projectId);
      expect(text(stored)).toBe(text(onA.doc));
    }
  }, 30_000);

  it("keeps awareness ids owned cluster-wide: a socket on another node cannot take one over", async () => {
    const [a, b] = cluster.nodes as [TestCluster["nodes"][0], TestCluster["nodes"][0]];
    const team = await projectWithTeam(a.url);
    const owner = provider(a.url, team.owner.token, team.projectId);
    const watcher = provider(b.url, team.editor.token, team.projectId);
    await Promise.all([owner.whenSynced(), watcher.whenSynced()]);
    owner.awareness.setLocalStateField("cursor", 1);
    const clientId = owner.doc.clientID;
    await awarenessUntil(watcher.awareness, (states) => states.get(clientId)?.cursor === 1);

    const squatter = await rawClient(b.url, team.viewer.token, team.projectId);
    squatter.socket.emit(
      "yjs:awareness",
      team.projectId,
      writeAwarenessUpdate([{ clientId, clock: 10_000, state: { cursor: 666 } }]),
    );
    await roundTrip(squatter.socket);
    owner.awareness.setLocalStateField("cursor", 2);
    await awarenessUntil(watcher.awareness, (states) => states.get(clientId)?.cursor === 2);
    expect(watcher.awareness.getStates().get(clientId)?.user).toEqual({ id: team.owner.user.id, name: "Owner" });
  }, 30_000);

  it("tells each socket about presence on other nodes, once per change", async () => {
    const [a, b] = cluster.nodes as [TestCluster["nodes"][0], TestCluster["nodes"][0]];
    const team = await projectWithTeam(a.url);
    const watcher = provider(a.url, team.owner.token, team.projectId);
    await watcher.whenSynced();
    const seen: string[][] = [];
    watcher.on("presence", (online) => seen.push(online.map((user) => user.name)));
    const tabs = [1, 2, 3].map(() => provider(b.url, team.editor.token, team.projectId));
    await Promise.all(tabs.map((tab) => tab.whenSynced()));
    await new Promise<void>((resolve) => {
      const check = () => seen.some((names) => names.includes("Editor")) && resolve();
      watcher.on("presence", check);
      check();
    });
    for (const tab of tabs) tab.destroy();
    await new Promise<void>((resolve) => {
      const check = () => seen.at(-1)?.length === 1 && resolve();
      watcher.on("presence", check);
      check();
    });
    expect(seen).toEqual([["Editor", "Owner"], ["Owner"]]);
  }, 30_000);

  it("gives a late joiner on a third node everything, acked or merely applied elsewhere", async () => {
    const [a, b] = cluster.nodes as [TestCluster["nodes"][0], TestCluster["nodes"][0]];
    const team = await projectWithTeam(a.url);
    const onA = provider(a.url, team.owner.token, team.projectId);
    const onB = provider(b.url, team.editor.token, team.projectId);
    await Promise.all([onA.whenSynced(), onB.whenSynced()]);
    for (let i = 0; i < 20; i++) {
      onA.doc.getText("body").insert(0, `a${i} `);
      onB.doc.getText("body").insert(0, `b${i} `);
    }
    const c = await cluster.addNode();
    const late = provider(c.url, team.viewer.token, team.projectId);
    await late.whenSynced();
    await until(
      [onA.doc, onB.doc, late.doc],
      () => text(late.doc) === text(onA.doc) && text(onA.doc) === text(onB.doc),
    );
    expect(Y.encodeStateAsUpdate(late.doc)).toEqual(Y.encodeStateAsUpdate(onA.doc));
  }, 60_000);
});
