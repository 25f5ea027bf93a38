import type { Document } from "bson";
import { CommandError } from "../errors.js";
import { sortDocuments } from "../storage/bson-order.js";
import type { Collection } from "../storage/collection.js";
import { applyUpdate, buildUpsert, parseUpdate } from "../storage/modifier.js";
import { projectDocuments } from "../storage/projection.js";
import type { UpdateInputs } from "../storage/update-operators.js";
import { isPlainObject } from "../storage/values.js";
import { arrayField, type CommandHandler, collectionName, documentField, letVariables } from "./context.js";
import { checkHint } from "./hint.js";

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

/** Whether a write checks the collection's validator: all do, unless they set `bypassDocumentValidation`. */
function validates(command: Document): boolean {
  return command.bypassDocumentValidation !== true;
}

function withWriteErrors(reply: Document, writeErrors: Document[]): Document {
  return writeErrors.length > 0 ? { ...reply, writeErrors } : reply;
}

const insert: CommandHandler = (context, command) => {
  const collection = context.catalog.ensure(context.database, collectionName(command));
  let n = 0;
  const writeErrors = runStatements(arrayField(command, "documents"), command.ordered !== false, (document) => {
    collection.insert(document, validates(command));
    n += 1;
  });
  return withWriteErrors({ n }, writeErrors);
};

/** The fields MongoDB 7.0 accepts in one update or delete statement; any other is refused, not ignored. */
const STATEMENT_FIELDS = {
  updates: new Set(["q", "u", "c", "multi", "upsert", "arrayFilters", "hint", "collation", "upsertSupplied"]),
  deletes: new Set(["q", "limit", "collation", "hint"]),
};

/** Checked before any statement runs: MongoDB refuses the whole command when it cannot parse one statement. */
function checkStatementFields(command: string, list: keyof typeof STATEMENT_FIELDS, statements: unknown[]): void {
  for (const statement of statements) {
    for (const field of isPlainObject(statement) ? Object.keys(statement) : []) {
      if (!STATEMENT_FIELDS[list].has(field)) {
        throw new CommandError("Location40415", `BSON field '${command}.${list}.${field}' is an unknown field.`);
      }
    }
  }
}

/** The command's `let`, with a statement's constants (`c`) over it: what `$$name` reads. */
function variablesOf(command: Document, statement?: Document): Document | undefined {
  const shared = letVariables(command);
  const constants = statement?.c === undefined ? undefined : documentField(statement, "c");
  return constants ? { ...shared, ...constants } : shared;
}

function arrayFiltersOf(statement: Document): Document[] | undefined {
  const filters = statement.arrayFilters;
  if (filters === undefined || filters === null) return undefined;
  if (!Array.isArray(filters) || !filters.every(isPlainObject)) {
    throw new CommandError("TypeMismatch", "arrayFilters must be an array of objects");
  }
  return filters as Document[];
}

const update: CommandHandler = (context, command) => {
  const name = collectionName(command);
  const collection = context.catalog.ensure(context.database, name);
  let n = 0;
  let nModified = 0;
  const upserted: Document[] = [];
  const statements = arrayField(command, "updates");
  checkStatementFields("update", "updates", statements);
  const writeErrors = runStatements(statements, command.ordered !== false, (statement, index) => {
    checkHint(context, name, statement.hint);
    const inputs: UpdateInputs = {
      filter: documentField(statement, "q"),
      arrayFilters: arrayFiltersOf(statement),
      variables: variablesOf(command, statement),
    };
    const spec = parseUpdate(statement.u);
    if (statement.multi === true && spec.kind === "replacement") {
      throw new CommandError("FailedToParse", "multi update is not supported for replacement-style update");
    }
    const matches = collection.find(inputs.filter, inputs.variables);
    const targets = statement.multi === true ? matches : matches.slice(0, 1);
    for (const current of targets) {
      const next = applyUpdate(current, spec, inputs);
      n += 1;
      if (next) {
        collection.replace(current, next, validates(command));
        nModified += 1;
      }
    }
    if (targets.length === 0 && statement.upsert === true) {
      const document = collection.insert(buildUpsert(spec, inputs), validates(command));
      upserted.push({ index, _id: document._id });
      n += 1;
    }
  });
  const reply: Document = { n, nModified };
  if (upserted.length > 0) reply.upserted = upserted;
  return withWriteErrors(reply, writeErrors);
};

const remove: CommandHandler = (context, command) => {
  const name = collectionName(command);
  const collection = context.catalog.get(context.database, name);
  let n = 0;
  const statements = arrayField(command, "deletes");
  checkStatementFields("delete", "deletes", statements);
  const writeErrors = runStatements(statements, command.ordered !== false, (statement) => {
    checkHint(context, name, statement.hint);
    if (!collection) return;
    const matches = collection.find(documentField(statement, "q"), variablesOf(command));
    const targets = Number(statement.limit) === 1 ? matches.slice(0, 1) : matches;
    for (const document of targets) collection.remove(document);
    n += targets.length;
  });
  return withWriteErrors({ n }, writeErrors);
};

function project(document: Document | undefined, fields: Document, filter: Document): Document | null {
  return document ? (projectDocuments([document], fields, filter)[0] ?? null) : null;
}

function firstMatch(
  collection: Collection,
  filter: Document,
  sort: Document,
  variables: Document | undefined,
): Document | undefined {
  const matches = collection.find(filter, variables);
  if (Object.keys(sort).length === 0) return matches[0];
  return sortDocuments(matches, sort)[0];
}

const findAndModify: CommandHandler = (context, command) => {
  const name = collectionName(command);
  const collection = context.catalog.ensure(context.database, name);
  checkHint(context, name, command.hint);
  const inputs: UpdateInputs = {
    filter: documentField(command, "query"),
    arrayFilters: arrayFiltersOf(command),
    variables: variablesOf(command),
  };
  const fields = documentField(command, "fields");
  const current = firstMatch(collection, inputs.filter, documentField(command, "sort"), inputs.variables);
  const returnNew = command.new === true;

  if (command.remove === true) {
    if (current) collection.remove(current);
    return { lastErrorObject: { n: current ? 1 : 0 }, value: project(current, fields, inputs.filter) };
  }
  if (command.update === undefined)
    throw new CommandError("FailedToParse", "Either an update or remove=true must be specified");
  const spec = parseUpdate(command.update);
  if (current) {
    const next = applyUpdate(current, spec, inputs);
    if (next) collection.replace(current, next, validates(command));
    const value = returnNew ? (next ?? current) : current;
    return { lastErrorObject: { n: 1, updatedExisting: true }, value: project(value, fields, inputs.filter) };
  }
  if (command.upsert === true) {
    const document = collection.insert(buildUpsert(spec, inputs), validates(command));
    return {
      lastErrorObject: { n: 1, updatedExisting: false, upserted: document._id },
      value: returnNew ? project(document, fields, inputs.filter) : null,
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
