import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { useService } from "../helpers/lifecycle.js";
import { projectWithTeam } from "../helpers/projects.js";

const running = useService();

describe("the published client entry point", () => {
  it("imports as collab-backend/client from the compiled build and syncs a document", async () => {
    // Through the package's own name and exports map, as an application would (the build, not src/).
    const specifier = "collab-backend/client";
    const client = (await import(specifier)) as typeof import("../../src/client/index.js");
    expect(client.PROJECTS_NAMESPACE).toBe("/projects");
    const team = await projectWithTeam(running.url);
    const doc = new Y.Doc();
    const provider = new client.ProjectProvider({
      url: running.url,
      token: team.owner.token,
      projectId: team.projectId,
      doc,
    });
    try {
      await provider.whenSynced();
      expect(provider.role).toBe("owner");
    } finally {
      provider.destroy();
    }
  });
});
