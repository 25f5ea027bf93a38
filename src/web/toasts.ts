import { el } from "./dom.js";

const SHOWN_FOR_MS = 6000;

/** Short messages in a polite live region, each gone after a few seconds. */
export function createToasts(): { element: HTMLElement; show(message: string): void } {
  const element = el("div", { class: "toasts", role: "status", "aria-live": "polite" });
  return {
    element,
    show(message) {
      const toast = el("div", { class: "toast" }, message);
      element.append(toast);
      setTimeout(() => toast.remove(), SHOWN_FOR_MS);
    },
  };
}
