import { describe, expect, it } from "vitest";
import { type ChatConnection, ChatError, ProjectChat } from "../../src/client/project-chat.js";
import type { AckResponse, ChatMessage } from "../../src/protocol/events.js";
import { provider } from "../helpers/collab.js";
import { request } from "../helpers/http.js";
import { useService } from "../helpers/lifecycle.js";
import { projectWithTeam } from "../helpers/projects.js";

const running = useService();

const message = (id: string, text: string): ChatMessage => ({
  id,
  projectId: "p",
  author: { userId: "u", name: "U" },
  text,
  createdAt: new Date().toISOString(),
});

describe("ProjectChat", () => {
  it("sends again with the same client id after a lost answer, and gives up on a refusal for good", async () => {
    const sent: Array<{ text: string; clientMessageId: string }> = [];
    const answers: Array<AckResponse<{ message: ChatMessage }> | undefined> = [
      undefined, // timed out
      { ok: false, error: { code: "RATE_LIMITED", message: "slow down" } },
      { ok: true, message: message("m1", "hello") },
      { ok: false, error: { code: "VALIDATION", message: "text: 1 to 4000 characters" } },
    ];
    const connection: ChatConnection = {
      isOpen: () => true,
      whenOpen: () => Promise.resolve(),
      request: async (_event, input) => {
        sent.push(input as { text: string; clientMessageId: string });
        return answers.shift();
      },
      typing: () => {},
    };
    const chat = new ProjectChat("p", connection);
    const heard: ChatMessage[] = [];
    chat.on("message", (each) => heard.push(each));
    expect((await chat.send("hello")).id).toBe("m1");
    expect(sent.map((each) => each.clientMessageId)).toEqual([
      sent[0]?.clientMessageId,
      sent[0]?.clientMessageId,
      sent[0]?.clientMessageId,
    ]);
    chat.receiveMessage(message("m1", "hello")); // its broadcast, after the ack: no second event
    expect(heard.map((each) => each.id)).toEqual(["m1"]);
    await expect(chat.send(" ")).rejects.toEqual(new ChatError("VALIDATION", "text: 1 to 4000 characters"));
  }, 10_000);

  it("holds a message sent while offline until the project is open again, then stores it once", async () => {
    const team = await projectWithTeam(running.url);
    const editor = provider(running.url, team.editor.token, team.projectId);
    await editor.whenSynced();
    editor.disconnect();
    const sending = editor.chat.send("written offline");
    editor.connect();
    const stored = await sending;
    const history = await request(running.url, "GET", `/api/projects/${team.projectId}/messages`, {
      token: team.owner.token,
    });
    expect(history.body.messages.map((each: ChatMessage) => each.id)).toEqual([stored.id]);
    // The latest history arrives with each open, into chat.messages.
    const reopened = new Promise<ChatMessage[]>((resolve) => editor.chat.once("history", resolve));
    editor.disconnect();
    editor.connect();
    expect((await reopened).map((each) => each.text)).toEqual(["written offline"]);
  });
});
