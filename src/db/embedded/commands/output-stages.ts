import { type Document, ObjectId } from "bson";
import { evalExpr } from "mingo/core";
import { CommandError } from "../errors.js";
import { Collection, ID_INDEX } from "../storage/collection.js";
import { duplicateKeyError } from "../storage/indexes.js";
import { Aggregator, engineOptions } from "../storage/query-engine.js";
import { cloneDocument, isPlainObject } from "../storage/values.js";
import type { CommandContext } from "./context.js";

export function isOutputStage(name: string): boolean {
  return name === "$out" || name === "$merge";
}

/** `"name"` or `{ db, coll }`, as both stages name their target. */
function target(context: CommandContext, spec: unknown, stage: string): { database: string; name: string } {
  if (typeof spec === "string") return { database: context.database, name: spec };
  if (isPlainObject(spec) && typeof spec.coll === "string") {
    return { database: typeof spec.db === "string" ? spec.db : context.database, name: spec.coll };
  }
  throw new CommandError("FailedToParse", `${stage} needs a collection name or { db, coll }`);
}

function withId(document: Document): Document {
  const { _id, ...rest } = cloneDocument(document);
  return { _id: _id === undefined ? new ObjectId() : _id, ...rest };
}

/**
 * `$out` replaces the target's documents, keeping its indexes. The results go into a new collection that takes
 * the target's place only once all are stored, so a duplicate `_id` leaves the target as it was.
 */
function out(context: CommandContext, spec: unknown, results: Document[]): void {
  const { database, name } = target(context, spec, "$out");
  const existing = context.catalog.get(database, name);
  const replacement = new Collection(`${database}.${name}`, existing?.options);
  for (const index of existing?.indexSpecs().slice(1) ?? []) replacement.createIndex(index);
  for (const document of results) replacement.insert(withId(document));
  context.catalog.replace(database, name, replacement);
}

type WhenMatched = (existing: Document, result: Document) => Document | undefined;

function whenMatched(spec: unknown, variables: Document | undefined, namespace: string): WhenMatched {
  if (Array.isArray(spec)) {
    return (existing, result) => {
      const pipelineVariables: Document = { new: result };
      for (const [name, expression] of Object.entries(variables ?? {})) {
        pipelineVariables[name] = evalExpr(result, expression, engineOptions() as never);
      }
      const [merged] = new Aggregator(spec as Document[], { variables: pipelineVariables }).run([existing]);
      return merged as Document | undefined;
    };
  }
  switch (spec ?? "merge") {
    case "replace":
      return (existing, result) => ({ ...result, _id: existing._id });
    case "keepExisting":
      return () => undefined;
    case "merge":
      return (existing, result) => ({ ...existing, ...result, _id: existing._id });
    case "fail":
      return (existing) => {
        throw duplicateKeyError(namespace, ID_INDEX, { _id: existing._id });
      };
  }
  throw new CommandError("BadValue", "whenMatched must be replace, keepExisting, merge, fail or a pipeline");
}

/** The fields that identify a result in the target: `_id`, or fields a unique index covers, as MongoDB requires. */
function mergeKeys(spec: unknown, collection: Collection): string[] {
  const on = spec === undefined ? ["_id"] : typeof spec === "string" ? [spec] : spec;
  if (!Array.isArray(on) || on.length === 0 || !on.every((field) => typeof field === "string")) {
    throw new CommandError("BadValue", "$merge 'on' must be a field name or an array of them");
  }
  const fields = [...new Set(on as string[])].sort();
  const covered = collection.indexSpecs().some((index) => {
    const keys = Object.keys(index.key).sort();
    return (index === ID_INDEX || index.unique === true) && keys.join() === fields.join();
  });
  if (!covered) {
    throw new CommandError("Location51183", "Cannot find index to verify that join fields will be unique");
  }
  return fields;
}

function merge(context: CommandContext, spec: unknown, results: Document[], variables: Document | undefined): void {
  const options = isPlainObject(spec) ? spec : { into: spec };
  const { database, name } = target(context, options.into, "$merge");
  const collection = context.catalog.ensure(database, name);
  const keys = mergeKeys(options.on, collection);
  const letVariables = isPlainObject(options.let) ? options.let : variables;
  const onMatch = whenMatched(options.whenMatched, letVariables, collection.namespace);
  const notMatched = options.whenNotMatched ?? "insert";
  if (!["insert", "discard", "fail"].includes(notMatched)) {
    throw new CommandError("BadValue", "whenNotMatched must be insert, discard or fail");
  }
  for (const result of results) {
    const [existing] = collection.find(Object.fromEntries(keys.map((key) => [key, result[key] ?? null])));
    if (existing) {
      const next = onMatch(existing, result);
      if (next) collection.replace(existing, withId({ ...next, _id: existing._id }));
    } else if (notMatched === "insert") {
      collection.insert(withId(result));
    } else if (notMatched === "fail") {
      throw new CommandError("MergeStageNoMatchingDocument", "$merge could not find a matching document in the target");
    }
  }
}

/** Writes an aggregation's results as its last stage (`$out` or `$merge`) says. */
export function writeOutput(
  context: CommandContext,
  stage: Document,
  results: Document[],
  variables: Document | undefined,
): void {
  if ("$out" in stage) out(context, stage.$out, results);
  else merge(context, stage.$merge, results, variables);
}
