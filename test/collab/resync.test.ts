import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { fetchDocument, provider, whenStored } from "../helpers/collab.js";
import { useService } from "../helpers/lifecycle.js";
import { projectWithTeam } from "../helpers/projects.js";

describe("an edit built on changes the server does not have yet", () => {
  const running = useService();

  it("is kept, not reverted, and stored with the resync that brings what it builds on", async () => {
    const team = await projectWithTeam(running.url);
    const writer = provider(running.url, team.editor.token, team.projectId);
    await writer.whenSynced();
    // Someone else's change reaches this client but not the server (in a cluster: accepted by a node that then
    // went away before passing it on, its author not reconnected yet).
    const elsewhere = new Y.Doc();
    elsewhere.getText("body").insert(0, "from elsewhere; ");
    Y.applyUpdate(writer.doc, Y.encodeStateAsUpdate(elsewhere), writer);
    let reverted = 0;
    writer.on("reverted", () => reverted++);
    writer.doc.getText("body").insert(16, "mine");
    await whenStored(writer);
    expect(reverted).toBe(0);
    expect(writer.doc.getText("body").toString()).toBe("from elsewhere; mine");
    const stored = await fetchDocument(running.url, team.viewer.token, team.projectId);
    expect(stored.getText("body").toString()).toBe("from elsewhere; mine");
  });
});
