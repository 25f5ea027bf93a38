import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../../src/protocol/events.js";
import { provider } from "../helpers/collab.js";
import { useService } from "../helpers/lifecycle.js";
import { createProject, projectWithTeam } from "../helpers/projects.js";
import { chatCall, connectProjects, openProject, record, roundTrip } from "../helpers/sockets.js";

const running = useService();

const nextMessage = (target: ReturnType<typeof provider>) =>
  new Promise<ChatMessage>((resolve) => target.chat.once("message", resolve));

describe("chat in the project room", () => {
  it("reaches every member in the room, viewers included, as plain text, and nobody outside it", async () => {
    const team = await projectWithTeam(running.url);
    const owner = provider(running.url, team.owner.token, team.projectId);
    const editor = provider(running.url, team.editor.token, team.projectId);
    const viewer = provider(running.url, team.viewer.token, team.projectId);
    const elsewhere = await connectProjects(running.url, team.outsider.token);
    const ownProject = await createProject(running.url, team.outsider.token, "Elsewhere");
    expect((await openProject(elsewhere, ownProject)).ok).toBe(true);
    const overheard = record<ChatMessage>(elsewhere, "chat:message");
    await Promise.all([owner.whenSynced(), editor.whenSynced(), viewer.whenSynced()]);

    const text = `<script>alert("hi")</script> & <b>bold</b>`;
    const heard = [nextMessage(owner), nextMessage(viewer)];
    const sent = await editor.chat.send(`  ${text}  `);
    expect(sent).toMatchObject({
      projectId: team.projectId,
      text,
      author: { userId: team.editor.user.id, name: "Editor" },
    });
    for (const message of await Promise.all(heard)) expect(message).toEqual(sent);
    expect(editor.chat.messages.map((message) => message.id)).toEqual([sent.id]); // its ack and its broadcast: once

    const fromViewer = await viewer.chat.send("viewers chat too");
    expect(fromViewer.author.name).toBe("Viewer");
    await roundTrip(elsewhere);
    expect(overheard).toEqual([]);
  });

  it("stores a retried send once, and lets authors edit and owners delete, leaving a tombstone", async () => {
    const team = await projectWithTeam(running.url);
    const [editor, viewer, owner] = await Promise.all([
      connectProjects(running.url, team.editor.token),
      connectProjects(running.url, team.viewer.token),
      connectProjects(running.url, team.owner.token),
    ]);
    for (const socket of [editor, viewer, owner]) expect((await openProject(socket, team.projectId)).ok).toBe(true);
    const broadcasts = record<ChatMessage>(viewer, "chat:message");
    const input = { text: "once", clientMessageId: "retry-me" };
    const first = (await chatCall(editor, "chat:send", team.projectId, input)) as { ok: true; message: ChatMessage };
    const again = (await chatCall(editor, "chat:send", team.projectId, input)) as { ok: true; message: ChatMessage };
    expect(again.message).toEqual(first.message);
    await roundTrip(viewer);
    expect(broadcasts).toHaveLength(1);
    const id = first.message.id;

    expect(await chatCall(viewer, "chat:edit", team.projectId, { messageId: id, text: "mine now" })).toMatchObject({
      ok: false,
      error: { code: "FORBIDDEN" },
    });
    expect(await chatCall(viewer, "chat:delete", team.projectId, { messageId: id })).toMatchObject({
      ok: false,
      error: { code: "FORBIDDEN" },
    });
    const changes = record<ChatMessage>(viewer, "chat:changed");
    const edited = await chatCall(editor, "chat:edit", team.projectId, { messageId: id, text: "edited" });
    expect(edited).toMatchObject({ ok: true, message: { id, text: "edited", editedAt: expect.any(String) } });
    const deleted = (await chatCall(owner, "chat:delete", team.projectId, { messageId: id })) as {
      ok: true;
      message: ChatMessage;
    };
    expect(deleted.message.deleted).toBe(true);
    expect(deleted.message.text).toBeUndefined();
    expect(await chatCall(editor, "chat:edit", team.projectId, { messageId: id, text: "back" })).toMatchObject({
      ok: false,
      error: { code: "CONFLICT" },
    });
    await roundTrip(viewer);
    expect(changes.map((message) => [message.text, message.deleted])).toEqual([
      ["edited", undefined],
      [undefined, true],
    ]);
  });

  it("refuses bad input with the protocol's codes and limits floods without disconnecting", async () => {
    const team = await projectWithTeam(running.url);
    const editor = await connectProjects(running.url, team.editor.token);
    const send = (input: unknown, projectId: unknown = team.projectId) =>
      chatCall(editor, "chat:send", projectId, input);
    expect(await send({ text: "not open yet", clientMessageId: "a" })).toMatchObject({ error: { code: "NOT_OPEN" } });
    expect((await openProject(editor, team.projectId)).ok).toBe(true);
    expect(await send({ text: "   ", clientMessageId: "b" })).toMatchObject({ error: { code: "VALIDATION" } });
    expect(await send({ text: "x".repeat(4001), clientMessageId: "c" })).toMatchObject({
      error: { code: "VALIDATION" },
    });
    expect(await send({ text: "hi", clientMessageId: "d".repeat(65) })).toMatchObject({
      error: { code: "VALIDATION" },
    });
    expect(await send({ text: 42, clientMessageId: "e" })).toMatchObject({ error: { code: "VALIDATION" } });
    expect(await send("just text")).toMatchObject({ error: { code: "VALIDATION" } });
    expect(await chatCall(editor, "chat:edit", team.projectId, { messageId: "nope", text: "x" })).toMatchObject({
      error: { code: "NOT_FOUND" },
    });

    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, index) => send({ text: `flood ${index}`, clientMessageId: `flood-${index}` })),
    );
    const codes = answers.map((answer) => (answer.ok ? "ok" : answer.error.code));
    expect(codes.filter((code) => code === "ok").length).toBeLessThanOrEqual(11);
    expect(codes).toContain("RATE_LIMITED");
    expect(editor.connected).toBe(true);
  });
});
