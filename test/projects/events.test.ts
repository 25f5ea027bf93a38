import { describe, expect, it } from "vitest";
import type { ProjectEvent } from "../../src/projects/events.js";
import { request } from "../helpers/http.js";
import { useService } from "../helpers/lifecycle.js";
import { projectWithTeam } from "../helpers/projects.js";

const running = useService();

describe("project change events", () => {
  it("publishes member added, role changed, member removed, renamed and deleted, after they are stored", async () => {
    const seen: ProjectEvent[] = [];
    const unsubscribe = running.service.events.subscribe((event) => seen.push(event));
    // A listener that throws must not break the request or the other listeners.
    const unsubscribeBroken = running.service.events.subscribe(() => {
      throw new Error("listener bug");
    });
    try {
      const team = await projectWithTeam(running.url);
      const base = `/api/projects/${team.projectId}`;
      await request(running.url, "PATCH", `${base}/members/${team.editor.user.id}`, {
        token: team.owner.token,
        body: { role: "viewer" },
      });
      await request(running.url, "DELETE", `${base}/members/${team.viewer.user.id}`, { token: team.owner.token });
      await request(running.url, "PATCH", base, { token: team.owner.token, body: { name: "Renamed" } });
      const deleted = await request(running.url, "DELETE", base, { token: team.owner.token });
      expect(deleted.status).toBe(204);

      const mine = seen.filter((event) => event.projectId === team.projectId);
      expect(mine.map((event) => event.type)).toEqual([
        "member-added",
        "member-added",
        "role-changed",
        "member-removed",
        "project-renamed",
        "project-deleted",
      ]);
      expect(mine[2]).toMatchObject({ userId: team.editor.user.id, role: "viewer", previousRole: "editor" });
      expect(mine[3]).toMatchObject({ userId: team.viewer.user.id });
      const deletion = mine[5] as Extract<ProjectEvent, { type: "project-deleted" }>;
      expect(deletion.memberIds.sort()).toEqual([team.owner.user.id, team.editor.user.id].sort());
    } finally {
      unsubscribe();
      unsubscribeBroken();
    }
  });
});
