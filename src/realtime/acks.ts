import { isDatabaseUnavailable } from "../db/unavailable.js";
import { knownError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { AckResponse, WireError } from "../protocol/events.js";

export type Ack = (response: AckResponse) => void;

/** Socket.IO passes the ack as the last argument, if the client asked for one. */
export function splitAck(args: unknown[]): { args: unknown[]; ack: Ack | undefined } {
  const last = args.at(-1);
  if (typeof last === "function") return { args: args.slice(0, -1), ack: last as Ack };
  return { args, ack: undefined };
}

/** AppErrors keep their code and message, an unreachable database is UNAVAILABLE; anything else is logged and becomes INTERNAL. */
export function toWireError(error: unknown, logger: Logger): WireError {
  const known = knownError(error, isDatabaseUnavailable);
  if (known) return { code: known.code, message: known.message };
  logger.error({ err: error }, "socket handler failed");
  return { code: "INTERNAL", message: "internal error" };
}

/**
 * Settles a handler's result into its ack, always exactly once and never
 * throwing: a failed handler answers `{ ok: false, error }`, and a missing
 * ack is simply not called.
 */
export function answer(ack: Ack | undefined, result: Promise<object>, logger: Logger): void {
  result.then(
    (value) => ack?.({ ok: true, ...value }),
    (error: unknown) => ack?.({ ok: false, error: toWireError(error, logger) }),
  );
}

/** Runs tasks one after another: a socket's opens and closes apply in the order it sent them. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
