import { Compartment, EditorState } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import { basicSetup } from "codemirror";
import { type OnlineUser, ProjectProvider } from "collab-backend/client";
import { yCollab } from "y-codemirror.next";
import * as Y from "yjs";
import { initials, userColor } from "../colors.js";
import type { AppContext, View } from "../context.js";
import { el } from "../dom.js";
import { chatPanel } from "./chat-panel.js";
import { membersPanel } from "./members-panel.js";

const CONNECTION_LABELS = { connecting: "connecting…", connected: "connected", disconnected: "offline" } as const;

/** One project: the shared editor, who is online, the connection and save state, the members. */
export function projectView(context: AppContext, projectId: string): View {
  const { session } = context;
  const doc = new Y.Doc();
  const provider = new ProjectProvider({ url: location.origin, token: session.token, projectId, doc });
  const me = session.user;
  if (me) provider.awareness.setLocalStateField("user", { name: me.name, ...userColor(me.id) });

  const title = el("h1", { id: "project-title" }, "Opening…");
  const connection = el("span", { id: "connection-status", class: "status" }, CONNECTION_LABELS.connecting);
  const saved = el("span", { id: "save-status", class: "status" }, "");
  const readOnlyBadge = el("span", { id: "read-only-badge", class: "badge role-viewer", hidden: true }, "read-only");
  const online = el("ul", { id: "online", class: "online", "aria-label": "Online now" });
  const notice = el("p", { class: "notice", role: "status" });
  const editorHost = el("div", { class: "editor", id: "editor" });

  const editable = new Compartment();
  const editabilityOf = (readOnly: boolean) => [EditorView.editable.of(!readOnly), EditorState.readOnly.of(readOnly)];
  const view = new EditorView({
    parent: editorHost,
    state: EditorState.create({
      doc: doc.getText("body").toString(),
      extensions: [
        basicSetup,
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ "aria-label": "Document" }),
        editable.of(editabilityOf(true)),
        yCollab(doc.getText("body"), provider.awareness),
      ],
    }),
  });

  const showSaveState = () => {
    const count = provider.unsyncedChanges;
    saved.textContent =
      provider.saveState === "saved"
        ? "saved"
        : provider.saveState === "saving"
          ? "saving…"
          : `${count} unsaved change${count === 1 ? "" : "s"}`;
    saved.dataset.state = provider.saveState;
  };
  const showRole = (readOnly: boolean) => {
    readOnlyBadge.hidden = !readOnly;
    view.dispatch({ effects: editable.reconfigure(editabilityOf(readOnly)) });
  };
  const showOnline = (users: OnlineUser[]) => {
    online.replaceChildren(
      ...users.map((user) => {
        const { color } = userColor(user.userId);
        const label = user.userId === me?.id ? `${user.name} (you)` : user.name;
        return el(
          "li",
          { title: label, "data-user-id": user.userId, style: `--user-color: ${color}` },
          el("span", { class: "avatar", "aria-hidden": "true" }, initials(user.name)),
          el("span", { class: "visually-hidden" }, label),
        );
      }),
    );
  };

  provider.on("status", (status) => {
    connection.textContent = CONNECTION_LABELS[status];
    connection.dataset.state = status;
    showSaveState();
  });
  provider.on("save-state", showSaveState);
  provider.on("unsynced", showSaveState);
  provider.on("open", (result) => {
    title.textContent = result.project.name;
    document.title = `${result.project.name} · collab`;
    showRole(result.readOnly);
  });
  provider.on("role", (role, readOnly) => {
    showRole(readOnly);
    notice.textContent = `Your role is now ${role}${readOnly ? ": you can read but not edit" : ""}.`;
    members.refresh();
  });
  provider.on("presence", showOnline);
  provider.on("reverted", () => {
    notice.textContent = "Your role may not change this document: your edit was undone.";
  });
  const closeWith = (message: string) => {
    view.destroy();
    editorHost.replaceChildren(
      el(
        "div",
        { class: "revoked", role: "alert" },
        el("p", {}, message),
        el("a", { href: "#/" }, "Back to your projects"),
      ),
    );
    online.replaceChildren();
    connection.textContent = "closed";
    members.element.hidden = true;
    chat.hidden = true;
    provider.destroy();
  };
  provider.on("access-revoked", () => closeWith("You no longer have access to this project."));
  provider.on("error", (error) => {
    // The open was refused: not a member (any more), or no such project; the provider has stopped.
    if (error.code === "NOT_FOUND" && !provider.role)
      closeWith("This project does not exist, or you are not a member.");
  });
  provider.on("connection-error", (error) => {
    if (error.code === "UNAUTHORIZED") notice.textContent = "Your session has ended. Sign in again.";
  });
  showSaveState();

  const members = membersPanel(context, projectId);
  const chat = chatPanel(context, provider);
  const header = el(
    "header",
    { class: "project-header" },
    el("a", { href: "#/", class: "back" }, "← Projects"),
    title,
    readOnlyBadge,
    el("div", { class: "status-line", "aria-live": "polite" }, connection, " · ", saved),
    online,
  );
  return {
    element: el(
      "main",
      { class: "project-view" },
      header,
      notice,
      el("div", { class: "workspace" }, editorHost, el("div", { class: "side" }, chat, members.element)),
    ),
    destroy() {
      view.destroy();
      provider.destroy();
    },
  };
}
