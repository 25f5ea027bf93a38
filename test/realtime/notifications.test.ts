import { describe, expect, it } from "vitest";
import type { Notification } from "../../src/protocol/events.js";
import { registerUser, request } from "../helpers/http.js";
import { useService } from "../helpers/lifecycle.js";
import { connectNotifications, nextEvent, record } from "../helpers/sockets.js";

const running = useService();

describe("the personal notifications channel", () => {
  it("tells exactly the concerned user, on every socket, about additions, role changes, removals and deletions", async () => {
    const owner = await registerUser(running.url, "Owner");
    const member = await registerUser(running.url, "Member");
    const bystander = await registerUser(running.url, "Bystander");
    const memberTabs = [
      await connectNotifications(running.url, member.token),
      await connectNotifications(running.url, member.token),
    ];
    const bystanderSocket = await connectNotifications(running.url, bystander.token);
    const ownerSocket = await connectNotifications(running.url, owner.token);
    const bystanderSeen = record<Notification>(bystanderSocket, "notification");
    const ownerSeen = record<Notification>(ownerSocket, "notification");

    const created = await request(running.url, "POST", "/api/projects", {
      token: owner.token,
      body: { name: "Shared" },
    });
    const projectId = created.body.project.id as string;
    const base = `/api/projects/${projectId}`;

    const added = memberTabs.map((tab) =>
      nextEvent<Notification>(tab, "notification", (n) => n.type === "member-added"),
    );
    await request(running.url, "POST", `${base}/members`, {
      token: owner.token,
      body: { email: member.email, role: "viewer" },
    });
    for (const notification of await Promise.all(added)) {
      expect(notification).toEqual({
        type: "member-added",
        projectId,
        projectName: "Shared",
        role: "viewer",
        at: expect.any(String),
      });
      expect(Number.isNaN(Date.parse(notification.at))).toBe(false);
    }

    const changed = nextEvent<Notification>(memberTabs[0]!, "notification", (n) => n.type === "role-changed");
    await request(running.url, "PATCH", `${base}/members/${member.user.id}`, {
      token: owner.token,
      body: { role: "editor" },
    });
    expect(await changed).toMatchObject({ type: "role-changed", projectId, role: "editor" });

    const removed = nextEvent<Notification>(memberTabs[1]!, "notification", (n) => n.type === "member-removed");
    await request(running.url, "DELETE", `${base}/members/${member.user.id}`, { token: owner.token });
    expect(await removed).toMatchObject({ type: "member-removed", projectId });

    const deleted = nextEvent<Notification>(ownerSocket, "notification", (n) => n.type === "project-deleted");
    await request(running.url, "DELETE", base, { token: owner.token });
    expect(await deleted).toMatchObject({ type: "project-deleted", projectId, projectName: "Shared" });

    expect(bystanderSeen).toEqual([]);
    expect(ownerSeen.map((n) => n.type)).toEqual(["project-deleted"]);
  });
});
