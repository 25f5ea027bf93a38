import { describe, expect, it } from "vitest";
import { type TestNode, useCluster } from "../helpers/cluster.js";
import { provider, until, whenStored } from "../helpers/collab.js";
import { request } from "../helpers/http.js";
import { projectWithTeam } from "../helpers/projects.js";

// A node unloads (stores and compacts) a document soon after its last socket leaves: that must not resurrect it.
const cluster = useCluster(2, { DOC_UNLOAD_DELAY_MS: "200" });
const node = (index: number) => cluster.nodes[index] as TestNode;

function revoked(target: ReturnType<typeof provider>): Promise<void> {
  return new Promise((resolve) => target.on("access-revoked", () => resolve()));
}

describe("access across nodes", () => {
  it("keeps a viewer on another node read-only, and a demotion there applies at once", async () => {
    const team = await projectWithTeam(node(0).url);
    const viewer = provider(node(1).url, team.viewer.token, team.projectId);
    const editor = provider(node(1).url, team.editor.token, team.projectId);
    await Promise.all([viewer.whenSynced(), editor.whenSynced()]);
    const undone = new Promise<string>((resolve) => viewer.on("reverted", resolve));
    viewer.doc.getText("body").insert(0, "not allowed");
    expect(await undone).toBe("READ_ONLY");
    expect(viewer.doc.getText("body").toString()).toBe("");

    const demoted = await request(
      node(0).url,
      "PATCH",
      `/api/projects/${team.projectId}/members/${team.editor.user.id}`,
      {
        token: team.owner.token,
        body: { role: "viewer" },
      },
    );
    expect(demoted.status).toBe(200);
    // The demotion reaches B's sockets through the adapter, just after the answer: type until it bites (the
    // server refuses an edit, or the role event arrives first and the provider stops sending: either way undone).
    const refused = new Promise<string>((resolve) => editor.on("reverted", resolve));
    const typing = setInterval(() => editor.doc.getText("body").insert(0, "x"), 50);
    try {
      expect(await refused).toBe("READ_ONLY");
    } finally {
      clearInterval(typing);
    }
    expect(editor.readOnly).toBe(true);
    await whenStored(editor);
    const owner = provider(node(0).url, team.owner.token, team.projectId);
    await owner.whenSynced();
    // The x typed before the demotion were stored; those after it are undone on the editor's side too.
    const text = (doc: typeof owner.doc) => doc.getText("body").toString();
    await until([owner.doc, editor.doc], () => text(owner.doc) === text(editor.doc));
  }, 30_000);

  it("evicts a member removed through another node", async () => {
    const team = await projectWithTeam(node(0).url);
    const editor = provider(node(1).url, team.editor.token, team.projectId);
    await editor.whenSynced();
    const gone = revoked(editor);
    const removed = await request(
      node(0).url,
      "DELETE",
      `/api/projects/${team.projectId}/members/${team.editor.user.id}`,
      {
        token: team.owner.token,
      },
    );
    expect(removed.status).toBe(204);
    await gone;
  }, 30_000);

  it("drops a project deleted through another node everywhere, and no node writes it back", async () => {
    const team = await projectWithTeam(node(0).url);
    const onB = provider(node(1).url, team.editor.token, team.projectId);
    await onB.whenSynced();
    onB.doc.getText("body").insert(0, "soon gone");
    await whenStored(onB);
    const gone = revoked(onB);
    expect(
      (await request(node(0).url, "DELETE", `/api/projects/${team.projectId}`, { token: team.owner.token })).status,
    ).toBe(204);
    await gone;
    const { MongoClient } = await import("mongodb");
    const client = await MongoClient.connect(cluster.databaseUri);
    try {
      const db = client.db();
      // B would have stored and compacted its copy on unload: nothing of it may reappear.
      const deadline = Date.now() + 3000;
      while (Date.now() < deadline) {
        expect(await db.collection("documentupdates").countDocuments({ documentId: team.projectId })).toBe(0);
        expect(await db.collection("documentsnapshots").countDocuments({ _id: team.projectId as never })).toBe(0);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    } finally {
      await client.close();
    }
  }, 30_000);
});
