/** The client library editor frontends use: `import { ProjectProvider } from "collab-backend/client"`. */

export * from "../protocol/events.js";
export {
  ProjectProvider,
  type ProjectProviderEvents,
  type ProjectProviderOptions,
  type ProviderStatus,
} from "./provider.js";
