import "./app.css";
import { type Notification, NotificationsClient } from "collab-backend/client";
import type { AppContext, View } from "./context.js";
import { el } from "./dom.js";
import { Session } from "./session.js";
import { createToasts } from "./toasts.js";
import { authView } from "./views/auth-view.js";
import { projectView } from "./views/project-view.js";
import { projectsView } from "./views/projects-view.js";

/** The reference frontend: the service's own app, built only on the public client library. */

const NOTIFICATION_TEXT: Record<Notification["type"], (n: Notification) => string> = {
  "member-added": (n) => `You were added to “${n.projectName}” as ${n.role}.`,
  "role-changed": (n) => `Your role in “${n.projectName}” is now ${n.role}.`,
  "member-removed": (n) => `You were removed from “${n.projectName}”.`,
  "project-deleted": (n) => `“${n.projectName}” was deleted.`,
  mentioned: (n) => `${n.by?.name ?? "Someone"} mentioned you in “${n.projectName}”.`,
};

const toasts = createToasts();
const outlet = el("div", { id: "view" });
const account = el("div", { class: "account" });
document.body.append(
  el("header", { class: "app-header" }, el("a", { href: "#/", class: "brand" }, "collab"), account),
  outlet,
  toasts.element,
);

const session = new Session(() => {
  toasts.show("Your session has ended. Sign in again.");
  signedOut();
});
let notifications: NotificationsClient | undefined;
let current: View | undefined;

function show(view: View): void {
  current?.destroy();
  current = view;
  outlet.replaceChildren(view.element);
  view.element.querySelector<HTMLElement>("h1, h2, input")?.focus({ preventScroll: true });
}

function context(): AppContext {
  return {
    session,
    notifications: notifications as NotificationsClient,
    toast: toasts.show,
    navigate: (hash) => {
      if (location.hash === hash) route();
      else location.hash = hash;
    },
  };
}

function route(): void {
  if (!session.user) return;
  const match = /^#\/projects\/([0-9a-f]{24})$/.exec(location.hash);
  document.title = "collab";
  show(match?.[1] ? projectView(context(), match[1]) : projectsView(context()));
}

function signedIn(): void {
  const user = session.user;
  if (!user) return;
  const signOut = el("button", { type: "button" }, "Sign out");
  signOut.addEventListener("click", () => {
    session.signOut();
    signedOut();
  });
  account.replaceChildren(el("span", { class: "who" }, user.name), signOut);
  notifications = new NotificationsClient({ url: location.origin, token: session.token });
  notifications.on("notification", (n) => toasts.show(NOTIFICATION_TEXT[n.type](n)));
  route();
}

function signedOut(): void {
  notifications?.destroy();
  notifications = undefined;
  account.replaceChildren();
  show(authView(context(), signedIn));
}

window.addEventListener("hashchange", route);
session.restore().then((restored) => (restored ? signedIn() : signedOut()));
