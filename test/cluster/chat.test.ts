import { describe, expect, it } from "vitest";
import type { ChatMessage, Notification } from "../../src/protocol/events.js";
import { type TestNode, useCluster } from "../helpers/cluster.js";
import { request } from "../helpers/http.js";
import { projectWithTeam } from "../helpers/projects.js";
import { chatCall, connectNotifications, connectProjects, nextEvent, openProject } from "../helpers/sockets.js";

const cluster = useCluster(2, { MAX_SOCKETS_PER_PROJECT: "2" });
const node = (index: number) => cluster.nodes[index] as TestNode;

describe("chat and capacity across nodes", () => {
  it("delivers messages and mentions to sockets on another node, and counts the room on both", async () => {
    const team = await projectWithTeam(node(0).url);
    const editor = await connectProjects(node(0).url, team.editor.token);
    const viewer = await connectProjects(node(1).url, team.viewer.token);
    const inbox = await connectNotifications(node(1).url, team.owner.token);
    for (const socket of [editor, viewer]) expect((await openProject(socket, team.projectId)).ok).toBe(true);

    const arrived = nextEvent<ChatMessage>(viewer, "chat:message");
    const mentioned = nextEvent<Notification>(inbox, "notification", (n) => n.type === "mentioned");
    await chatCall(editor, "chat:send", team.projectId, { text: "from A, @Owner", clientMessageId: "a" });
    expect((await arrived).text).toBe("from A, @Owner");
    expect((await mentioned).by?.name).toBe("Editor");

    // Node B's socket counts on node A once A has heard B's presence: then A's room is full.
    const deadline = Date.now() + 10_000;
    const sockets = async () =>
      (await request(node(0).url, "GET", `/api/projects/${team.projectId}/presence`, { token: team.owner.token })).body
        .sockets;
    while ((await sockets()) !== 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const third = await connectProjects(node(0).url, team.owner.token);
    expect(await openProject(third, team.projectId)).toMatchObject({ ok: false, error: { code: "ROOM_FULL" } });
  }, 30_000);
});
