import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import type { AdminNode, AdminRoom, AdminRoomDetail } from "../../src/protocol/events.js";
import { startBalancer, type TestBalancer } from "../helpers/balancer.js";
import { type TestNode, useCluster } from "../helpers/cluster.js";
import { fetchDocument, provider, until, whenStored } from "../helpers/collab.js";
import { registerUser } from "../helpers/http.js";
import { projectWithTeam } from "../helpers/projects.js";
import { adminCall, connectAdmin, connectProjects, openProject } from "../helpers/sockets.js";

const ADMIN_EMAIL = `ops-${process.pid}@example.test`;
const cluster = useCluster(2, { ADMIN_EMAILS: ADMIN_EMAIL, DRAIN_SECONDS: "2" });

const text = (doc: { getText(name: string): { toString(): string } }) => doc.getText("body").toString();

describe("operating a cluster", () => {
  let adminToken: string;
  let balancer: TestBalancer | undefined;
  afterEach(async () => {
    await balancer?.close();
  });

  it("lists rooms, sockets and nodes cluster-wide through the adapter", async () => {
    const [a, b] = cluster.nodes as [TestNode, TestNode];
    adminToken = (await registerUser(a.url, "Root", ADMIN_EMAIL)).token;
    const shared = await projectWithTeam(a.url);
    const lone = await projectWithTeam(b.url);
    for (const [url, token, projectId] of [
      [a.url, shared.editor.token, shared.projectId],
      [a.url, shared.editor.token, shared.projectId],
      [b.url, shared.viewer.token, shared.projectId],
      [b.url, lone.owner.token, lone.projectId],
    ] as const) {
      expect((await openProject(await connectProjects(url, token), projectId)).ok).toBe(true);
    }
    const admin = await connectAdmin(a.url, adminToken);
    const rooms = await adminCall<{ rooms: AdminRoom[]; total: number }>(admin, "rooms:list", {});
    expect(rooms).toMatchObject({
      ok: true,
      total: 2,
      rooms: [
        { projectId: shared.projectId, projectName: "Team project", sockets: 3, users: 2 },
        { projectId: lone.projectId, projectName: "Team project", sockets: 1, users: 1 },
      ],
    });
    const inspected = await adminCall<{ room: AdminRoomDetail }>(admin, "room:inspect", shared.projectId);
    if (!inspected.ok) throw new Error(inspected.error.message);
    expect(inspected.room.sockets.map((socket) => [socket.node, socket.name, socket.role]).sort()).toEqual([
      ["node-1", "Editor", "editor"],
      ["node-1", "Editor", "editor"],
      ["node-2", "Viewer", "viewer"],
    ]);
    expect(inspected.room.loaded.map((copy) => [copy.node, copy.connections]).sort()).toEqual([
      ["node-1", 2],
      ["node-2", 1],
    ]);
    const nodes = await adminCall<{ nodes: AdminNode[] }>(admin, "node:list");
    expect(nodes).toMatchObject({
      ok: true,
      nodes: [
        { node: "node-1", sockets: { projects: 2, admin: 1 }, ready: true, draining: false },
        { node: "node-2", sockets: { projects: 2, admin: 0 }, ready: true, draining: false },
      ],
    });
  });

  it("drains a node under load: every client ends up on the other node, and no acked edit is lost", async () => {
    const [a, b] = cluster.nodes as [TestNode, TestNode];
    balancer = await startBalancer([a.url, b.url]);
    const team = await projectWithTeam(b.url);
    const typists = Array.from({ length: 12 }, (_, i) =>
      provider(balancer?.url as string, i % 2 ? team.owner.token : team.editor.token, team.projectId),
    );
    await Promise.all(typists.map((typist) => typist.whenSynced()));
    const typed = typists.map(() => [] as string[]);
    let round = 0;
    // Each typist types a word every 50 ms (W1's pace) throughout the drain and a little after.
    const typing = setInterval(() => {
      round++;
      for (const [i, typist] of typists.entries()) {
        const word = `t${i}w${round};`;
        typist.doc.getText("body").insert(0, word);
        typed[i]?.push(word);
      }
    }, 50);
    const admin = await connectAdmin(b.url, adminToken);
    const exited = once(a.process.child, "exit");
    expect(await adminCall(admin, "node:drain", { node: "node-1" })).toEqual({ ok: true, node: "node-1" });
    const [code] = await exited;
    expect(code).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    clearInterval(typing);

    await Promise.all(typists.map((typist) => whenStored(typist, 20_000)));
    const room = await adminCall<{ room: AdminRoomDetail }>(admin, "room:inspect", team.projectId);
    if (!room.ok) throw new Error(room.error.message);
    expect(room.room.sockets).toHaveLength(typists.length);
    expect(new Set(room.room.sockets.map((socket) => socket.node))).toEqual(new Set(["node-2"]));

    const stored = text(await fetchDocument(b.url, team.viewer.token, team.projectId));
    for (const words of typed) for (const word of words) expect(stored).toContain(word);
    await until(
      typists.map((typist) => typist.doc),
      () => typists.every((typist) => text(typist.doc) === stored),
      10_000,
    );
    // The administrator's action is in the log, with who did it.
    const logged = b.process.lines.find((line) => line.includes('"action":"node:drain"'));
    expect(logged).toContain(`"node":"node-1"`);
    expect(logged).toMatch(/"adminId":"[0-9a-f]{24}"/);
  }, 60_000);
});
