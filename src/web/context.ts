import { ApiError, type NotificationsClient } from "collab-backend/client";
import type { Session } from "./session.js";

/** What every view is handed by the app shell. */
export interface AppContext {
  session: Session;
  notifications: NotificationsClient;
  toast(message: string): void;
  navigate(hash: string): void;
}

/** A view on screen; `destroy` releases what it made (a provider, listeners). */
export interface View {
  element: HTMLElement;
  destroy(): void;
}

/** What a failed call shows: the service's own words, which name the problem (unknown email, last owner, …). */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === "UNREACHABLE") return "The service cannot be reached. Check your connection and try again.";
    if (error.code === "RATE_LIMITED") return "Too many attempts. Wait a minute and try again.";
    return capitalize(error.message);
  }
  return "Something went wrong. Try again.";
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
