import type { Document } from "bson";
import type { CursorRegistry } from "../cursors.js";
import { CommandError } from "../errors.js";
import type { ServerStatistics } from "../statistics.js";
import type { Catalog } from "../storage/catalog.js";
import { isPlainObject } from "../storage/values.js";

export interface CommandContext {
  catalog: Catalog;
  cursors: CursorRegistry;
  statistics: ServerStatistics;
  /** From the command's `$db`. */
  database: string;
  connectionId: number;
}

/** A command's reply without `ok`; the dispatcher adds `ok: 1`. */
export type CommandHandler = (context: CommandContext, command: Document) => Document;

export function stringField(command: Document, field: string): string {
  const value = command[field];
  if (typeof value !== "string") {
    throw new CommandError(
      "TypeMismatch",
      `BSON field '${field}' is the wrong type '${typeof value}', expected type 'string'`,
    );
  }
  return value;
}

export function documentField(command: Document, field: string, fallback: Document = {}): Document {
  const value = command[field];
  if (value === undefined || value === null) return fallback;
  if (!isPlainObject(value)) {
    throw new CommandError("TypeMismatch", `BSON field '${field}' is the wrong type, expected type 'object'`);
  }
  return value;
}

export function arrayField(command: Document, field: string): unknown[] {
  const value = command[field];
  if (!Array.isArray(value)) {
    throw new CommandError("TypeMismatch", `BSON field '${field}' is missing or not an array`);
  }
  return value;
}

export function numberField(command: Document, field: string): number | undefined {
  const value = command[field];
  if (value === undefined || value === null) return undefined;
  const number =
    typeof value === "number" ? value : typeof value === "bigint" ? Number(value) : Number(value?.valueOf?.());
  if (!Number.isFinite(number)) {
    throw new CommandError("TypeMismatch", `BSON field '${field}' is the wrong type, expected a number`);
  }
  return number;
}

/** The command's `let` variables, which `$expr` and pipelines read as `$$name`; undefined when it has none. */
export function letVariables(command: Document): Document | undefined {
  return command.let === undefined ? undefined : documentField(command, "let");
}

/** The first key of a command document names it, and its value is usually the collection. */
export function collectionName(command: Document): string {
  const [name] = Object.keys(command);
  return stringField(command, name as string);
}
