import { MongoClient, ObjectId } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatHistoryPayload, ChatMessage } from "../../src/protocol/events.js";
import { request } from "../helpers/http.js";
import { startTestMongo, type TestMongo } from "../helpers/mongo.js";
import { projectWithTeam } from "../helpers/projects.js";
import { startService, type TestService } from "../helpers/service.js";
import { chatCall, closeAllSockets, connectProjects, nextEvent, openProject } from "../helpers/sockets.js";

const SECRET = "h".repeat(48);
let mongo: TestMongo;
let running: TestService;

beforeAll(async () => {
  mongo = await startTestMongo();
  running = await startService({ JWT_SECRET: SECRET }, mongo);
});
afterAll(async () => {
  closeAllSockets();
  await running?.close();
  await mongo?.stop();
});

/** Every page of GET /messages, newest page first, as one list oldest first. */
async function wholeHistory(token: string, projectId: string, limit: number): Promise<ChatMessage[]> {
  const pages: ChatMessage[][] = [];
  let before: string | null | undefined;
  do {
    const query = `limit=${limit}${before ? `&before=${encodeURIComponent(before)}` : ""}`;
    const page = await request(running.url, "GET", `/api/projects/${projectId}/messages?${query}`, { token });
    expect(page.status).toBe(200);
    pages.unshift(page.body.messages);
    before = page.body.before;
  } while (before);
  return pages.flat();
}

describe("chat history", () => {
  it("comes with each open, pages back through 500 messages in order, survives a restart, and only for members", async () => {
    const team = await projectWithTeam(running.url);
    // Fifty tabs of the editor, ten messages each: within each socket's burst.
    const tabs = await Promise.all(Array.from({ length: 50 }, () => connectProjects(running.url, team.editor.token)));
    for (const tab of tabs) expect((await openProject(tab, team.projectId)).ok).toBe(true);
    for (let round = 0; round < 10; round++) {
      await Promise.all(
        tabs.map((tab, index) =>
          chatCall(tab, "chat:send", team.projectId, {
            text: `m${round * 50 + index}`,
            clientMessageId: `${round}-${index}`,
          }),
        ),
      );
    }
    for (const tab of tabs) tab.close();

    const all = await wholeHistory(team.owner.token, team.projectId, 100);
    expect(all).toHaveLength(500);
    expect(new Set(all.map((message) => message.id)).size).toBe(500);
    const times = all.map((message) => message.createdAt);
    expect([...times].sort()).toEqual(times);

    const viewer = await connectProjects(running.url, team.viewer.token);
    const history = nextEvent<ChatHistoryPayload>(viewer, "chat:history");
    expect((await openProject(viewer, team.projectId)).ok).toBe(true);
    const latest = await history;
    expect(latest.messages.map((message) => message.id)).toEqual(all.slice(-50).map((message) => message.id));
    expect(latest.before).toEqual(expect.any(String));
    const older = await request(
      running.url,
      "GET",
      `/api/projects/${team.projectId}/messages?before=${latest.before}`,
      {
        token: team.viewer.token,
      },
    );
    expect(older.body.messages.map((message: ChatMessage) => message.id)).toEqual(
      all.slice(-100, -50).map((message) => message.id),
    );

    // Not a member, a removed member: the same 404 as for any project of someone else's.
    const outsider = await request(running.url, "GET", `/api/projects/${team.projectId}/messages`, {
      token: team.outsider.token,
    });
    expect(outsider.status).toBe(404);
    await request(running.url, "DELETE", `/api/projects/${team.projectId}/members/${team.viewer.user.id}`, {
      token: team.owner.token,
    });
    expect(
      (await request(running.url, "GET", `/api/projects/${team.projectId}/messages`, { token: team.viewer.token }))
        .status,
    ).toBe(404);
    expect(
      (
        await request(running.url, "GET", `/api/projects/${team.projectId}/messages?before=garbage`, {
          token: team.owner.token,
        })
      ).status,
    ).toBe(400);

    closeAllSockets();
    await running.close();
    running = await startService({ JWT_SECRET: SECRET }, mongo);
    expect(await wholeHistory(team.owner.token, team.projectId, 37)).toEqual(all);
  }, 60_000);

  it("goes with its project, and a member who leaves keeps their messages under their name as it was", async () => {
    const team = await projectWithTeam(running.url);
    const editor = await connectProjects(running.url, team.editor.token);
    expect((await openProject(editor, team.projectId)).ok).toBe(true);
    await chatCall(editor, "chat:send", team.projectId, { text: "I was here", clientMessageId: "x" });
    await request(running.url, "DELETE", `/api/projects/${team.projectId}/members/${team.editor.user.id}`, {
      token: team.editor.token,
    });
    const kept = await request(running.url, "GET", `/api/projects/${team.projectId}/messages`, {
      token: team.owner.token,
    });
    expect(kept.body.messages).toMatchObject([{ text: "I was here", author: { name: "Editor" } }]);

    await request(running.url, "DELETE", `/api/projects/${team.projectId}`, { token: team.owner.token });
    const client = await MongoClient.connect(mongo.uri);
    try {
      const collection = client.db(mongo.databaseName).collection("chatmessages");
      const left = async () => collection.countDocuments({ projectId: new ObjectId(team.projectId) });
      const deadline = Date.now() + 5000;
      while ((await left()) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await left()).toBe(0);
    } finally {
      await client.close();
    }
  });
});
