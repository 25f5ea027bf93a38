import { describe, expect, it } from "vitest";
import type { ChatTypingPayload, Notification } from "../../src/protocol/events.js";
import { useService } from "../helpers/lifecycle.js";
import { projectWithTeam } from "../helpers/projects.js";
import { chatCall, connectNotifications, connectProjects, nextEvent, openProject, record } from "../helpers/sockets.js";

const running = useService();

describe("mentions and typing", () => {
  it("tells a mentioned member on their notifications socket, project open or not, and nobody else", async () => {
    const team = await projectWithTeam(running.url);
    const [viewerInbox, ownerInbox, outsiderInbox] = await Promise.all([
      connectNotifications(running.url, team.viewer.token),
      connectNotifications(running.url, team.owner.token),
      connectNotifications(running.url, team.outsider.token),
    ]);
    const ownerHeard = record<Notification>(ownerInbox, "notification");
    const outsiderHeard = record<Notification>(outsiderInbox, "notification");
    const editor = await connectProjects(running.url, team.editor.token);
    expect((await openProject(editor, team.projectId)).ok).toBe(true);

    const mention = nextEvent<Notification>(viewerInbox, "notification");
    const sent = (await chatCall(editor, "chat:send", team.projectId, {
      text: "@viewer have a look, and @Outsider too; not @Ownerless",
      clientMessageId: "m1",
    })) as { ok: true; message: { id: string } };
    expect(await mention).toEqual({
      type: "mentioned",
      projectId: team.projectId,
      projectName: "Team project",
      messageId: sent.message.id,
      by: { userId: team.editor.user.id, name: "Editor" },
      at: expect.any(String),
    });
    // The owner's next notification is the mention that names them: nothing came before it.
    const ownersTurn = nextEvent<Notification>(ownerInbox, "notification");
    await chatCall(editor, "chat:send", team.projectId, { text: "thanks @Owner.", clientMessageId: "m2" });
    expect((await ownersTurn).type).toBe("mentioned");
    expect(ownerHeard).toHaveLength(1);
    expect(outsiderHeard).toEqual([]);
  });

  it("tells the others in the room who is typing, at most once a second per user", async () => {
    const team = await projectWithTeam(running.url);
    const [editor, viewer] = await Promise.all([
      connectProjects(running.url, team.editor.token),
      connectProjects(running.url, team.viewer.token),
    ]);
    for (const socket of [editor, viewer]) expect((await openProject(socket, team.projectId)).ok).toBe(true);
    const seenByEditor = record<ChatTypingPayload>(editor, "chat:typing");
    const typed = record<ChatTypingPayload>(viewer, "chat:typing");
    const first = nextEvent<ChatTypingPayload>(viewer, "chat:typing");
    for (let i = 0; i < 5; i++) editor.emit("chat:typing", team.projectId);
    expect(await first).toEqual({ projectId: team.projectId, userId: team.editor.user.id, name: "Editor" });
    // A message after the burst: everything the burst caused has arrived before its broadcast.
    const marker = nextEvent(viewer, "chat:message");
    await chatCall(editor, "chat:send", team.projectId, { text: "done typing", clientMessageId: "t" });
    await marker;
    expect(typed).toHaveLength(1);
    expect(seenByEditor).toEqual([]);
  });
});
