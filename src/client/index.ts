/**
 * The client library editor frontends use: `import { ApiClient, ProjectProvider, NotificationsClient } from
 * "collab-backend/client"`. It runs in browsers and in Node; Yjs, y-protocols, lib0 and socket.io-client are the
 * app's own (peer dependencies), so a bundle holds one copy of each.
 */

export * from "../protocol/api.js";
export * from "../protocol/events.js";
export { ApiClient, type ApiClientOptions, ApiError } from "./api-client.js";
export {
  NotificationsClient,
  type NotificationsClientEvents,
  type NotificationsClientOptions,
} from "./notifications-client.js";
export { ChatError, ProjectChat, type ProjectChatEvents } from "./project-chat.js";
export {
  type ConnectionError,
  ProjectProvider,
  type ProjectProviderEvents,
  type ProjectProviderOptions,
  type ProviderStatus,
  type SaveState,
} from "./provider.js";
export { type TokenSource, tokenTimes } from "./token-renewal.js";
