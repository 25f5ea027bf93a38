import { EventEmitter } from "node:events";
import type { Role } from "./roles.js";

/** What changed about a project's membership or existence, after it is stored. */
export type ProjectEvent =
  | { type: "member-added"; projectId: string; projectName: string; userId: string; role: Role }
  | { type: "role-changed"; projectId: string; projectName: string; userId: string; role: Role; previousRole: Role }
  | { type: "member-removed"; projectId: string; projectName: string; userId: string }
  | { type: "project-renamed"; projectId: string; projectName: string }
  | { type: "project-deleted"; projectId: string; projectName: string; memberIds: string[] };

export type ProjectEventListener = (event: ProjectEvent) => void;

/**
 * The in-process channel from the projects domain to whoever reacts
 * (realtime rooms, notifications). Publishers do not know the listeners; a
 * listener that throws is isolated from the publisher and from the others.
 */
export class ProjectEvents {
  private readonly emitter = new EventEmitter();
  private readonly onListenerError: (error: unknown, event: ProjectEvent) => void;

  constructor(onListenerError: (error: unknown, event: ProjectEvent) => void) {
    this.onListenerError = onListenerError;
    this.emitter.setMaxListeners(0);
  }

  publish(event: ProjectEvent): void {
    for (const listener of this.emitter.listeners("event") as ProjectEventListener[]) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error, event);
      }
    }
  }

  subscribe(listener: ProjectEventListener): () => void {
    this.emitter.on("event", listener);
    return () => this.emitter.off("event", listener);
  }
}
