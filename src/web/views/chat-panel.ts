import { ChatError, type ChatMessage, type ProjectProvider } from "collab-backend/client";
import type { AppContext } from "../context.js";
import { el } from "../dom.js";

const TYPING_SHOWN_MS = 3000;

/** The project's chat beside the editor: messages as plain text, who is typing, older pages, deleting. */
export function chatPanel(context: AppContext, provider: ProjectProvider): HTMLElement {
  const { chat } = provider;
  const list = el("ol", { class: "chat", "aria-label": "Chat messages", "aria-live": "polite" });
  const typing = el("p", { class: "typing", "aria-live": "polite" });
  const error = el("p", { class: "error", role: "alert" });
  const older = el("button", { type: "button", hidden: true }, "Older messages");
  const input = el("input", { name: "text", maxlength: "4000", autocomplete: "off", "aria-label": "Message" });
  const form = el(
    "form",
    { class: "inline", "aria-label": "Send a message" },
    input,
    el("button", { type: "submit" }, "Send"),
  );

  const mayDelete = (message: ChatMessage) =>
    !message.deleted && (message.author.userId === context.session.user?.id || provider.role === "owner");

  const item = (message: ChatMessage): HTMLElement => {
    const time = new Date(message.createdAt).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    const body = message.deleted
      ? el("span", { class: "deleted" }, "message deleted")
      : el(
          "span",
          { class: "text" },
          message.text ?? "",
          message.editedAt ? el("span", { class: "edited" }, " (edited)") : "",
        );
    const line = el(
      "li",
      { "data-message-id": message.id },
      el("span", { class: "author" }, message.author.name),
      el("time", { datetime: message.createdAt }, time),
      body,
    );
    if (mayDelete(message)) {
      const remove = el("button", { type: "button", class: "link danger", "aria-label": "Delete message" }, "Delete");
      remove.addEventListener("click", () => chat.delete(message.id).catch(show));
      line.append(remove);
    }
    return line;
  };
  const render = () => {
    list.replaceChildren(...chat.messages.map(item));
    older.hidden = chat.before === null;
    list.scrollTop = list.scrollHeight;
  };
  const show = (failure: unknown) => {
    error.textContent = failure instanceof ChatError ? failure.message : "The message could not be sent.";
  };

  let typingTimer: ReturnType<typeof setTimeout> | undefined;
  chat.on("history", render);
  chat.on("message", render);
  chat.on("changed", render);
  chat.on("typing", (who) => {
    typing.textContent = `${who.name} is typing…`;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => {
      typing.textContent = "";
    }, TYPING_SHOWN_MS);
  });
  input.addEventListener("input", () => chat.typing());
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    error.textContent = "";
    chat.send(text).catch(show);
  });
  older.addEventListener("click", () =>
    chat.loadOlder((before) => context.session.api.messages(provider.projectId, { before })).then(render, show),
  );
  return el(
    "section",
    { class: "panel chat-panel", "aria-labelledby": "chat-title" },
    el("h2", { id: "chat-title" }, "Chat"),
    older,
    list,
    typing,
    error,
    form,
  );
}
