/**
 * Where authentications are counted (metrics): the edge, the result, and a
 * reason from a short fixed list, never anything of the caller's.
 */
export type AuthOutcome = (
  edge: "http" | "socket",
  result: "success" | "failure",
  reason: "ok" | "invalid_token" | "unknown_account" | "invalid_credentials" | "unavailable" | "internal",
) => void;

export const ignoreAuthOutcome: AuthOutcome = () => {};
