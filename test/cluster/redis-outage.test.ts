import { describe, expect, it } from "vitest";
import type * as Y from "yjs";
import { type TestNode, useCluster } from "../helpers/cluster.js";
import { canonicalState, fetchDocument, provider, until, whenStored } from "../helpers/collab.js";
import { request } from "../helpers/http.js";
import { projectWithTeam } from "../helpers/projects.js";

const cluster = useCluster(2);

const text = (doc: Y.Doc) => doc.getText("body").toString();

async function status(url: string, path: string): Promise<number> {
  return (await request(url, "GET", path)).status;
}

describe("Redis killed and restarted mid-editing", () => {
  it("keeps every node serving its own clients, then converges every copy and the store", async () => {
    const [a, b] = cluster.nodes as [TestNode, TestNode];
    const team = await projectWithTeam(a.url);
    const onA = provider(a.url, team.owner.token, team.projectId);
    const onB = provider(b.url, team.editor.token, team.projectId);
    await Promise.all([onA.whenSynced(), onB.whenSynced()]);
    onA.doc.getText("body").insert(0, "before ");
    await until(onB.doc, () => text(onB.doc) === "before ");

    await cluster.redis.kill();
    // Each node goes on alone: its clients' changes are applied, relayed to its own sockets and stored.
    const local = provider(a.url, team.viewer.token, team.projectId);
    await local.whenSynced();
    onA.doc.getText("body").insert(0, "during-A ");
    onB.doc.getText("body").insert(text(onB.doc).length, "during-B");
    onB.doc.getText("body").delete(0, 1);
    await until(local.doc, () => text(local.doc).includes("during-A"));
    await Promise.all([whenStored(onA), whenStored(onB)]);
    expect(await status(a.url, "/healthz")).toBe(200);
    expect(await status(b.url, "/readyz")).toBe(503);

    await cluster.redis.restart();
    await until(
      [onA.doc, onB.doc, local.doc],
      () => text(onA.doc) === text(onB.doc) && text(local.doc) === text(onA.doc),
      20_000,
    );
    expect(text(onA.doc)).toContain("during-A");
    expect(text(onA.doc)).toContain("during-B");
    expect(canonicalState(onA.doc)).toEqual(canonicalState(onB.doc));
    for (const node of [a, b]) {
      const stored = await fetchDocument(node.url, team.owner.token, team.projectId);
      expect(canonicalState(stored)).toEqual(canonicalState(onA.doc));
    }
    const deadline = Date.now() + 10_000;
    while ((await status(b.url, "/readyz")) !== 200) {
      if (Date.now() > deadline) throw new Error("node B never became ready again");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }, 60_000);

  it("applies a removal made through another node while Redis was away, once it is back", async () => {
    const [a, b] = cluster.nodes as [TestNode, TestNode];
    const team = await projectWithTeam(a.url);
    const onB = provider(b.url, team.editor.token, team.projectId);
    await onB.whenSynced();
    const revoked = new Promise<void>((resolve) => onB.on("access-revoked", () => resolve()));

    await cluster.redis.kill();
    const removed = await request(a.url, "DELETE", `/api/projects/${team.projectId}/members/${team.editor.user.id}`, {
      token: team.owner.token,
    });
    expect(removed.status).toBe(204);
    await cluster.redis.restart();
    await revoked;
  }, 30_000);
});
