import { Binary, type Document, Long } from "bson";
import { DEFAULT_FIRST_BATCH } from "../cursors.js";
import { CommandError } from "../errors.js";
import { sortDocuments } from "../storage/bson-order.js";
import { projectDocuments } from "../storage/projection.js";
import { isPlainObject, valueKey, valuesAtPath } from "../storage/values.js";
import {
  arrayField,
  type CommandContext,
  type CommandHandler,
  collectionName,
  documentField,
  letVariables,
  numberField,
} from "./context.js";
import { checkHint } from "./hint.js";

/** `{ cursor: { firstBatch, id, ns } }`, registering a cursor for what does not fit the first batch. */
export function cursorReply(
  context: CommandContext,
  namespace: string,
  results: Document[],
  command: Document,
  single = false,
) {
  const cursorOptions = documentField(command, "cursor");
  const batchSize = numberField(command, "batchSize") ?? numberField(cursorOptions, "batchSize");
  if (batchSize !== undefined && batchSize < 0) throw new CommandError("BadValue", "batchSize must be non-negative");
  const firstBatchSize = batchSize ?? DEFAULT_FIRST_BATCH;
  const { id, firstBatch } = context.cursors.open(
    namespace,
    results,
    firstBatchSize,
    batchSize,
    single,
    sessionKey(command.lsid),
  );
  return { cursor: { firstBatch, id, ns: namespace } };
}

/** A logical session's id (`lsid: { id: UUID }`), as the cursor registry keys it. */
export function sessionKey(lsid: unknown): string | undefined {
  const id = isPlainObject(lsid) ? (lsid as Document).id : undefined;
  return id instanceof Binary ? Buffer.from(id.buffer).toString("hex") : undefined;
}

const find: CommandHandler = (context, command) => {
  const name = collectionName(command);
  const filter = documentField(command, "filter");
  const sort = documentField(command, "sort");
  const projection = documentField(command, "projection");
  const skip = numberField(command, "skip") ?? 0;
  const rawLimit = numberField(command, "limit") ?? 0;
  if (skip < 0) throw new CommandError("BadValue", "skip value must be non-negative");
  checkHint(context, name, command.hint);
  const single = command.singleBatch === true || rawLimit < 0;
  const limit = Math.abs(rawLimit);

  const variables = letVariables(command);
  const matches = context.catalog.get(context.database, name)?.find(filter, variables) ?? [];
  const sorted = Object.keys(sort).length > 0 ? sortDocuments(matches, sort) : matches;
  const page = sorted.slice(skip, limit > 0 ? skip + limit : undefined);
  const results = projectDocuments(page, projection, filter);
  return cursorReply(context, `${context.database}.${name}`, results, command, single);
};

const getMore: CommandHandler = (context, command) => {
  const id = command.getMore;
  if (!(id instanceof Long) && typeof id !== "number") {
    throw new CommandError("TypeMismatch", "getMore requires a cursor id of type long");
  }
  const cursorId = id instanceof Long ? id : Long.fromNumber(id);
  const namespace = `${context.database}.${stringOrEmpty(command.collection)}`;
  if (!context.cursors.has(cursorId) || context.cursors.namespaceOf(cursorId) !== namespace) {
    throw new CommandError("CursorNotFound", `cursor id ${cursorId.toString()} not found`);
  }
  const { id: nextId, nextBatch } = context.cursors.next(cursorId, numberField(command, "batchSize"));
  return { cursor: { nextBatch, id: nextId, ns: namespace } };
};

function stringOrEmpty(value: unknown): string {
  return typeof value === "string" ? value : "";
}

const killCursors: CommandHandler = (context, command) => {
  const cursorsKilled: Long[] = [];
  const cursorsNotFound: Long[] = [];
  for (const raw of arrayField(command, "cursors")) {
    const id = raw instanceof Long ? raw : Long.fromNumber(Number(raw));
    (context.cursors.kill(id) ? cursorsKilled : cursorsNotFound).push(id);
  }
  return { cursorsKilled, cursorsNotFound, cursorsAlive: [], cursorsUnknown: [] };
};

const count: CommandHandler = (context, command) => {
  const name = collectionName(command);
  checkHint(context, name, command.hint);
  const matches = context.catalog.get(context.database, name)?.find(documentField(command, "query")) ?? [];
  const skip = Math.max(0, numberField(command, "skip") ?? 0);
  const limit = Math.abs(numberField(command, "limit") ?? 0);
  const available = Math.max(0, matches.length - skip);
  return { n: limit > 0 ? Math.min(limit, available) : available };
};

const distinct: CommandHandler = (context, command) => {
  const name = collectionName(command);
  const key = command.key;
  if (typeof key !== "string" || key.length === 0)
    throw new CommandError("TypeMismatch", "'key' must be a non-empty string");
  const seen = new Map<string, unknown>();
  for (const document of context.catalog.get(context.database, name)?.find(documentField(command, "query")) ?? []) {
    for (const value of valuesAtPath(document, key)) {
      if (value !== undefined && !seen.has(valueKey(value))) seen.set(valueKey(value), value);
    }
  }
  return { values: [...seen.values()] };
};

export const readCommands: Record<string, CommandHandler> = {
  find,
  getmore: getMore,
  killcursors: killCursors,
  count,
  distinct,
};
