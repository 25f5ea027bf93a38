/**
 * The driver's and mongoose's ways of saying "the database cannot be
 * reached right now" (as opposed to "this operation is wrong"): no server
 * to select, a network error or timeout, a pool cleared by one, a
 * connection closed, or mongoose giving up on a buffered command. Matched
 * by name: the errors come from the driver's CommonJS build, so their
 * classes are not this module's to `instanceof`.
 */
const UNAVAILABLE_ERRORS = new Set([
  "MongoServerSelectionError",
  "MongooseServerSelectionError",
  "MongoNetworkError",
  "MongoNetworkTimeoutError",
  "MongoPoolClearedError",
  "MongoNotConnectedError",
  "MongoTopologyClosedError",
  "MongoServerClosedError",
  "MongoOperationTimeoutError",
]);

export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { name, message } = error as { name?: unknown; message?: unknown };
  if (typeof name === "string" && UNAVAILABLE_ERRORS.has(name)) return true;
  return name === "MongooseError" && typeof message === "string" && message.includes("buffering timed out");
}
