import type { ProjectEvent } from "../projects/events.js";
import type { Notification } from "../protocol/events.js";
import type { ExpirySchedule } from "./expiry-schedule.js";
import { userRoom } from "./rooms.js";
import type { NotificationsNamespace } from "./types.js";

/** Who hears about an event, and what they are told; events nobody is notified about give nothing. */
function notificationsFor(event: ProjectEvent, at: string): Array<{ userIds: string[]; notification: Notification }> {
  const base = { projectId: event.projectId, projectName: event.projectName, at };
  switch (event.type) {
    case "member-added":
      return [{ userIds: [event.userId], notification: { ...base, type: "member-added", role: event.role } }];
    case "role-changed":
      return [{ userIds: [event.userId], notification: { ...base, type: "role-changed", role: event.role } }];
    case "member-removed":
      return [{ userIds: [event.userId], notification: { ...base, type: "member-removed" } }];
    case "project-deleted":
      return [{ userIds: event.memberIds, notification: { ...base, type: "project-deleted" } }];
    default:
      return [];
  }
}

/**
 * /notifications: a personal channel. Each socket joins its user's room on
 * connect; change events are delivered to exactly the users they concern.
 * Every node hears every change (in a cluster too) and tells its own sockets.
 */
export function setUpNotifications(
  namespace: NotificationsNamespace,
  expiries: ExpirySchedule,
): (event: ProjectEvent) => void {
  namespace.on("connection", (socket) => {
    socket.join(userRoom(socket.data.userId));
    expiries.watch(socket);
  });
  return (event) => {
    for (const { userIds, notification } of notificationsFor(event, new Date().toISOString())) {
      if (userIds.length > 0) namespace.local.to(userIds.map(userRoom)).emit("notification", notification);
    }
  };
}
