/** The client library editor frontends use: `import { ProjectProvider } from "collab-backend/client"`. */

export * from "../protocol/events.js";
export {
  type ConnectionError,
  ProjectProvider,
  type ProjectProviderEvents,
  type ProjectProviderOptions,
  type ProviderStatus,
  type SaveState,
} from "./provider.js";
