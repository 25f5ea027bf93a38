import { describe, expect, it } from "vitest";
import type { AdminNode, AdminRoom, AdminRoomDetail } from "../../src/protocol/events.js";
import { provider, whenStored } from "../helpers/collab.js";
import { registerUser } from "../helpers/http.js";
import { useService } from "../helpers/lifecycle.js";
import { projectWithTeam } from "../helpers/projects.js";
import {
  adminCall,
  connectAdmin,
  connectNotifications,
  connectProjects,
  disconnected,
  openProject,
  refusal,
  roundTrip,
} from "../helpers/sockets.js";

const ADMIN_EMAIL = `root-${process.pid}@example.test`;

describe("the /admin namespace", () => {
  // Case and spaces do not matter in ADMIN_EMAILS.
  const running = useService({ ADMIN_EMAILS: ` someone@example.test , ${ADMIN_EMAIL.toUpperCase()}` });
  let adminToken: string;

  it("lets administrators in, and refuses everyone else with FORBIDDEN (no token: UNAUTHORIZED)", async () => {
    adminToken = (await registerUser(running.url, "Root", ADMIN_EMAIL)).token;
    const member = await registerUser(running.url, "Member");
    expect((await refusal(running.url, "/admin", { token: member.token })).data).toEqual({ code: "FORBIDDEN" });
    expect((await refusal(running.url, "/admin", {})).data).toEqual({ code: "UNAUTHORIZED" });
    const admin = await connectAdmin(running.url, adminToken);
    expect(admin.connected).toBe(true);
  });

  it("lists rooms largest first, inspects one, and lists the node", async () => {
    const admin = await connectAdmin(running.url, adminToken);
    const big = await projectWithTeam(running.url);
    const small = await projectWithTeam(running.url);
    const writer = provider(running.url, big.editor.token, big.projectId);
    await writer.whenSynced();
    for (let i = 0; i < 3; i++) {
      writer.doc.getText("body").insert(0, `${i}`);
      await whenStored(writer);
    }
    for (const token of [big.editor.token, big.viewer.token]) {
      const socket = await connectProjects(running.url, token);
      expect((await openProject(socket, big.projectId)).ok).toBe(true);
    }
    const lone = await connectProjects(running.url, small.owner.token);
    expect((await openProject(lone, small.projectId)).ok).toBe(true);

    const firstPage = await adminCall<{ rooms: AdminRoom[]; total: number }>(admin, "rooms:list", { limit: 1 });
    expect(firstPage).toEqual({
      ok: true,
      rooms: [{ projectId: big.projectId, projectName: "Team project", sockets: 3, users: 2 }],
      total: 2,
      page: 1,
      limit: 1,
    });
    const secondPage = await adminCall<{ rooms: AdminRoom[] }>(admin, "rooms:list", { page: 2, limit: 1 });
    expect(secondPage.ok && secondPage.rooms.map((room) => [room.projectId, room.sockets])).toEqual([
      [small.projectId, 1],
    ]);

    const inspected = await adminCall<{ room: AdminRoomDetail }>(admin, "room:inspect", big.projectId);
    if (!inspected.ok) throw new Error(inspected.error.message);
    const { room } = inspected;
    expect(room.projectName).toBe("Team project");
    expect(room.sockets.map((socket) => [socket.name, socket.role, socket.node]).sort()).toEqual([
      ["Editor", "editor", "node"],
      ["Editor", "editor", "node"],
      ["Viewer", "viewer", "node"],
    ]);
    for (const socket of room.sockets) expect(Date.parse(socket.connectedSince)).toBeGreaterThan(Date.now() - 60_000);
    expect(room.loaded).toEqual([{ node: "node", bytes: expect.any(Number), connections: 3 }]);
    expect(room.loaded[0]?.bytes).toBeGreaterThan(0);
    expect(room.updateLogLength).toBeGreaterThanOrEqual(3);

    const nodes = await adminCall<{ nodes: AdminNode[] }>(admin, "node:list");
    expect(nodes).toEqual({
      ok: true,
      nodes: [
        {
          node: "node",
          sockets: { projects: 4, notifications: 0, admin: 1 },
          documents: 2,
          ready: true,
          draining: false,
        },
      ],
    });
  });

  it("disconnects a user's sockets in every namespace, and no one else's", async () => {
    const admin = await connectAdmin(running.url, adminToken);
    const team = await projectWithTeam(running.url);
    const editorTabs = [
      await connectProjects(running.url, team.editor.token),
      await connectProjects(running.url, team.editor.token),
    ];
    const editorNotifications = await connectNotifications(running.url, team.editor.token);
    const viewer = await connectProjects(running.url, team.viewer.token);
    const gone = [...editorTabs, editorNotifications].map(disconnected);
    expect(await adminCall(admin, "user:disconnect", team.editor.user.id)).toEqual({ ok: true });
    expect(await Promise.all(gone)).toEqual(["io server disconnect", "io server disconnect", "io server disconnect"]);
    await roundTrip(viewer);
    expect(viewer.connected).toBe(true);
  });

  it("answers bad input with VALIDATION and keeps serving", async () => {
    const admin = await connectAdmin(running.url, adminToken);
    const invalid = [
      ["rooms:list", { limit: 0 }],
      ["rooms:list", { limit: "ten" }],
      ["rooms:list", { page: 1, extra: true }],
      ["room:inspect", { $gt: "" }],
      ["user:disconnect", "not-an-id"],
      ["node:drain", { node: 42 }],
    ] as const;
    for (const [event, input] of invalid) {
      expect(await adminCall(admin, event, input)).toMatchObject({ ok: false, error: { code: "VALIDATION" } });
    }
    expect(await adminCall(admin, "node:drain", { node: "no-such-node" })).toMatchObject({
      ok: false,
      error: { code: "NOT_FOUND" },
    });
    // No ack at all: nothing to answer, nothing breaks.
    (admin as unknown as { emit(event: string): void }).emit("rooms:list");
    expect(await adminCall(admin, "rooms:list", {})).toMatchObject({ ok: true });
  });

  it("keeps an administrator's connection past the 64 KiB allowed before a namespace accepts one", async () => {
    const admin = await connectAdmin(running.url, adminToken);
    for (let i = 0; i < 80; i++) {
      expect(await adminCall(admin, "room:inspect", "x".repeat(1024))).toMatchObject({ ok: false });
    }
    expect(admin.connected).toBe(true);
    expect(await adminCall(admin, "node:list")).toMatchObject({ ok: true });
  });
});
