import { describe, expect, it } from "vitest";
import type * as Y from "yjs";
import { type TestNode, useCluster } from "../helpers/cluster.js";
import { awarenessUntil, fetchDocument, provider, until, whenStored } from "../helpers/collab.js";
import { projectWithTeam } from "../helpers/projects.js";

const cluster = useCluster(2);

const text = (doc: Y.Doc) => doc.getText("body").toString();

describe("a node killed with kill -9 while its clients edit", () => {
  it("disappears from presence and awareness on the other nodes within a bounded time: no ghosts", async () => {
    const c = await cluster.addNode();
    const b = cluster.nodes[1] as TestNode;
    const team = await projectWithTeam(b.url);
    const doomed = provider(c.url, team.editor.token, team.projectId);
    const watcher = provider(b.url, team.owner.token, team.projectId);
    await Promise.all([doomed.whenSynced(), watcher.whenSynced()]);
    doomed.awareness.setLocalStateField("cursor", 1);
    await awarenessUntil(watcher.awareness, (states) => states.has(doomed.doc.clientID));
    const online = () => watcher.online.map((user) => user.name);
    expect(online()).toContain("Editor");

    const killedAt = Date.now();
    await c.kill();
    doomed.destroy();
    await new Promise<void>((resolve) => {
      const check = () => !online().includes("Editor") && resolve();
      watcher.on("presence", check);
      check();
    });
    const presenceGoneAfter = Date.now() - killedAt;
    expect(presenceGoneAfter).toBeLessThan(25_000);
    // Awareness's own timeout: a state not renewed for 30 s is gone, on the surviving node and in every client.
    await awarenessUntil(watcher.awareness, (states) => !states.has(doomed.doc.clientID), 40_000);
  }, 60_000);

  it("loses nothing: its clients carry on through another node, and the others see everything", async () => {
    const [a, b] = cluster.nodes as [TestNode, TestNode];
    const team = await projectWithTeam(b.url);
    const writer = provider(a.url, team.editor.token, team.projectId);
    const watcher = provider(b.url, team.owner.token, team.projectId);
    await Promise.all([writer.whenSynced(), watcher.whenSynced()]);
    for (let i = 0; i < 15; i++) writer.doc.getText("body").insert(text(writer.doc).length, `acked${i};`);
    await whenStored(writer);
    // These are in flight, or not even sent, when the node dies.
    for (let i = 0; i < 15; i++) writer.doc.getText("body").insert(text(writer.doc).length, `late${i};`);
    await a.kill();

    // The load balancer sends the client to the surviving node: same document, new connection.
    writer.destroy();
    const resumed = provider(b.url, team.editor.token, team.projectId, { doc: writer.doc });
    await resumed.whenSynced();
    await whenStored(resumed);
    await until([watcher.doc, resumed.doc], () => text(watcher.doc) === text(resumed.doc));
    const stored = await fetchDocument(b.url, team.viewer.token, team.projectId);
    expect(text(stored)).toBe(text(resumed.doc));
    for (let i = 0; i < 15; i++) {
      expect(text(stored)).toContain(`acked${i};`);
      expect(text(stored)).toContain(`late${i};`);
    }
  }, 60_000);
});
