import { MongoClient } from "mongodb";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { type TestCluster, useCluster } from "../helpers/cluster.js";
import { canonicalState, fetchDocument, provider, until, whenStored } from "../helpers/collab.js";
import { projectWithTeam } from "../helpers/projects.js";

// Small enough that both nodes find the log due many times while their clients type.
const cluster = useCluster(2, { DOC_COMPACT_AFTER_UPDATES: "8" });

describe("compaction of a document held by two nodes", () => {
  it("folds both nodes' changes into the snapshot without losing any, whichever node compacts", async () => {
    const [a, b] = cluster.nodes as [TestCluster["nodes"][0], TestCluster["nodes"][0]];
    const team = await projectWithTeam(a.url);
    const onA = provider(a.url, team.owner.token, team.projectId);
    const onB = provider(b.url, team.editor.token, team.projectId);
    await Promise.all([onA.whenSynced(), onB.whenSynced()]);

    for (let i = 0; i < 60; i++) {
      onA.doc.getText("body").insert(0, `a${i} `);
      onB.doc.getText("body").insert(0, `b${i} `);
      if (i % 10 === 9) await Promise.all([whenStored(onA), whenStored(onB)]);
    }
    await until(
      [onA.doc, onB.doc],
      () => Y.encodeStateVector(onA.doc).toString() === Y.encodeStateVector(onB.doc).toString(),
    );
    await Promise.all([whenStored(onA), whenStored(onB)]);

    const client = await MongoClient.connect(cluster.databaseUri);
    try {
      const db = client.db();
      // Compacted along the way: far fewer records than the 120 changes.
      await expect
        .poll(() => db.collection("documentupdates").countDocuments({ documentId: team.projectId }))
        .toBeLessThan(60);
      expect(await db.collection("documentsnapshots").countDocuments({ _id: team.projectId as never })).toBe(1);
    } finally {
      await client.close();
    }
    const expected = canonicalState(onA.doc);
    expect(canonicalState(onB.doc)).toEqual(expected);
    for (const node of [a, b]) {
      expect(canonicalState(await fetchDocument(node.url, team.viewer.token, team.projectId))).toEqual(expected);
    }
    // A node that loads it now reads the snapshot and what is left of the log.
    const late = await cluster.addNode();
    const reader = provider(late.url, team.viewer.token, team.projectId);
    await reader.whenSynced();
    expect(canonicalState(reader.doc)).toEqual(expected);
  }, 60_000);
});
