import type { Document } from "bson";
import { CommandError } from "../errors.js";
import type { Collection } from "../storage/collection.js";
import { applyUpdate, buildUpsert, parseUpdate } from "../storage/modifier.js";
import { find } from "../storage/query-engine.js";
import { isPlainObject } from "../storage/values.js";
import { arrayField, type CommandHandler, collectionName, documentField } from "./context.js";

/**
 * Runs each statement of a write command, collecting failures into
 * `writeErrors` the way the server does: an ordered write stops at the first
 * failure, an unordered one carries on.
 */
function runStatements(
  statements: unknown[],
  ordered: boolean,
  run: (statement: Document, index: number) => void,
): Document[] {
  const writeErrors: Document[] = [];
  for (let index = 0; index < statements.length; index++) {
    const statement = statements[index];
    try {
      if (!isPlainObject(statement)) throw new CommandError("TypeMismatch", "each write statement must be an object");
      run(statement, index);
    } catch (error) {
      // mingo reports bad operators with plain exceptions; they are this statement's error.
      const failure = error instanceof CommandError ? error : new CommandError("BadValue", (error as Error).message);
      writeErrors.push(failure.toWriteError(index));
      if (ordered) break;
    }
  }
  return writeErrors;
}

function withWriteErrors(reply: Document, writeErrors: Document[]): Document {
  return writeErrors.length > 0 ? { ...reply, writeErrors } : reply;
}

const insert: CommandHandler = (context, command) => {
  const collection = context.catalog.ensure(context.database, collectionName(command));
  let n = 0;
  const writeErrors = runStatements(arrayField(command, "documents"), command.ordered !== false, (document) => {
    collection.insert(document);
    n += 1;
  });
  return withWriteErrors({ n }, writeErrors);
};

function arrayFiltersOf(statement: Document): Document[] | undefined {
  const filters = statement.arrayFilters;
  if (filters === undefined || filters === null) return undefined;
  if (!Array.isArray(filters) || !filters.every(isPlainObject)) {
    throw new CommandError("TypeMismatch", "arrayFilters must be an array of objects");
  }
  return filters as Document[];
}

const update: CommandHandler = (context, command) => {
  const collection = context.catalog.ensure(context.database, collectionName(command));
  let n = 0;
  let nModified = 0;
  const upserted: Document[] = [];
  const writeErrors = runStatements(arrayField(command, "updates"), command.ordered !== false, (statement, index) => {
    const filter = documentField(statement, "q");
    const spec = parseUpdate(statement.u);
    const arrayFilters = arrayFiltersOf(statement);
    if (statement.multi === true && spec.kind === "replacement") {
      throw new CommandError("FailedToParse", "multi update is not supported for replacement-style update");
    }
    const matches = collection.find(filter);
    const targets = statement.multi === true ? matches : matches.slice(0, 1);
    for (const current of targets) {
      const next = applyUpdate(current, spec, arrayFilters);
      n += 1;
      if (next) {
        collection.replace(current, next);
        nModified += 1;
      }
    }
    if (targets.length === 0 && statement.upsert === true) {
      const document = collection.insert(buildUpsert(filter, spec, arrayFilters));
      upserted.push({ index, _id: document._id });
      n += 1;
    }
  });
  const reply: Document = { n, nModified };
  if (upserted.length > 0) reply.upserted = upserted;
  return withWriteErrors(reply, writeErrors);
};

const remove: CommandHandler = (context, command) => {
  const collection = context.catalog.get(context.database, collectionName(command));
  let n = 0;
  const writeErrors = runStatements(arrayField(command, "deletes"), command.ordered !== false, (statement) => {
    if (!collection) return;
    const matches = collection.find(documentField(statement, "q"));
    const targets = Number(statement.limit) === 1 ? matches.slice(0, 1) : matches;
    for (const document of targets) collection.remove(document);
    n += targets.length;
  });
  return withWriteErrors({ n }, writeErrors);
};

function project(document: Document | undefined, fields: Document): Document | null {
  if (!document) return null;
  if (Object.keys(fields).length === 0) return document;
  return (find([document], fields).all()[0] as Document | undefined) ?? null;
}

function firstMatch(collection: Collection, filter: Document, sort: Document): Document | undefined {
  const matches = collection.find(filter);
  if (Object.keys(sort).length === 0) return matches[0];
  return find(matches).sort(sort).limit(1).all()[0] as Document | undefined;
}

const findAndModify: CommandHandler = (context, command) => {
  const collection = context.catalog.ensure(context.database, collectionName(command));
  const filter = documentField(command, "query");
  const fields = documentField(command, "fields");
  const current = firstMatch(collection, filter, documentField(command, "sort"));
  const returnNew = command.new === true;

  if (command.remove === true) {
    if (current) collection.remove(current);
    return { lastErrorObject: { n: current ? 1 : 0 }, value: project(current, fields) };
  }
  if (command.update === undefined)
    throw new CommandError("FailedToParse", "Either an update or remove=true must be specified");
  const spec = parseUpdate(command.update);
  const arrayFilters = arrayFiltersOf(command);
  if (current) {
    const next = applyUpdate(current, spec, arrayFilters);
    if (next) collection.replace(current, next);
    const value = returnNew ? (next ?? current) : current;
    return { lastErrorObject: { n: 1, updatedExisting: true }, value: project(value, fields) };
  }
  if (command.upsert === true) {
    const document = collection.insert(buildUpsert(filter, spec, arrayFilters));
    return {
      lastErrorObject: { n: 1, updatedExisting: false, upserted: document._id },
      value: returnNew ? project(document, fields) : null,
    };
  }
  return { lastErrorObject: { n: 0, updatedExisting: false }, value: null };
};

export const writeCommands: Record<string, CommandHandler> = {
  insert,
  update,
  delete: remove,
  findandmodify: findAndModify,
};
