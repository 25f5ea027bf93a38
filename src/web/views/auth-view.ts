import { type AppContext, describeError, type View } from "../context.js";
import { el, onSubmit } from "../dom.js";

/** Sign in, or create an account; `signedIn` runs once either worked. */
export function authView(context: AppContext, signedIn: () => void): View {
  const signInError = el("p", { class: "error", role: "alert" });
  const signIn = el(
    "form",
    { class: "card", "aria-labelledby": "sign-in-title" },
    el("h2", { id: "sign-in-title" }, "Sign in"),
    el("label", {}, "Email", el("input", { name: "email", type: "email", autocomplete: "username", required: true })),
    el(
      "label",
      {},
      "Password",
      el("input", { name: "password", type: "password", autocomplete: "current-password", required: true }),
    ),
    signInError,
    el("button", { type: "submit", class: "primary" }, "Sign in"),
  );
  onSubmit(
    signIn,
    signInError,
    async ({ email, password }) => {
      await context.session.signIn(email ?? "", password ?? "");
      signedIn();
    },
    describeError,
  );

  const registerError = el("p", { class: "error", role: "alert" });
  const register = el(
    "form",
    { class: "card", "aria-labelledby": "register-title" },
    el("h2", { id: "register-title" }, "Create an account"),
    el("label", {}, "Name", el("input", { name: "name", autocomplete: "name", required: true, maxlength: "100" })),
    el("label", {}, "Email", el("input", { name: "email", type: "email", autocomplete: "email", required: true })),
    el(
      "label",
      {},
      "Password (8 characters or more)",
      el("input", { name: "password", type: "password", autocomplete: "new-password", required: true, minlength: "8" }),
    ),
    registerError,
    el("button", { type: "submit", class: "primary" }, "Create account"),
  );
  onSubmit(
    register,
    registerError,
    async ({ name, email, password }) => {
      await context.session.register(name ?? "", email ?? "", password ?? "");
      signedIn();
    },
    describeError,
  );

  return { element: el("main", { class: "auth" }, signIn, register), destroy() {} };
}
