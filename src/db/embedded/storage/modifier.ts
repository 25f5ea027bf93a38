import { type Document, ObjectId } from "bson";
import { CommandError } from "../errors.js";
import { checkOperandTypes } from "./operand-types.js";
import { Aggregator } from "./query-engine.js";
import { applyOperators, type UpdateInputs } from "./update-operators.js";
import { cloneDocument, isPlainObject, valueKey } from "./values.js";

/** What an update statement's `u` can be, as MongoDB distinguishes them. */
export type UpdateSpec =
  | { kind: "operators"; modifier: Document; setOnInsert: Document | undefined }
  | { kind: "replacement"; document: Document }
  | { kind: "pipeline"; stages: Document[] };

const SUPPORTED_OPERATORS = new Set([
  "$addToSet",
  "$bit",
  "$currentDate",
  "$inc",
  "$max",
  "$min",
  "$mul",
  "$pop",
  "$pull",
  "$pullAll",
  "$push",
  "$rename",
  "$set",
  "$unset",
  "$setOnInsert",
]);

export function parseUpdate(raw: unknown): UpdateSpec {
  if (Array.isArray(raw)) {
    if (!raw.every(isPlainObject))
      throw new CommandError("FailedToParse", "each update pipeline stage must be an object");
    return { kind: "pipeline", stages: raw as Document[] };
  }
  if (!isPlainObject(raw)) throw new CommandError("FailedToParse", "update must be an object or a pipeline");
  const keys = Object.keys(raw);
  const operatorCount = keys.filter((key) => key.startsWith("$")).length;
  if (operatorCount === 0) return { kind: "replacement", document: raw };
  if (operatorCount !== keys.length) {
    throw new CommandError("FailedToParse", "update document cannot mix operators and fields");
  }
  for (const key of keys) {
    if (!SUPPORTED_OPERATORS.has(key)) throw new CommandError("FailedToParse", `Unknown modifier: ${key}`);
    if (!isPlainObject(raw[key]))
      throw new CommandError("FailedToParse", `Modifiers operate on fields but ${key} was not an object`);
  }
  const { $setOnInsert, ...modifier } = raw;
  return { kind: "operators", modifier, setOnInsert: $setOnInsert };
}

function withIdFirst(document: Document, id: unknown): Document {
  const { _id, ...rest } = document;
  return { _id: id, ...rest };
}

/**
 * The updated copy of `current`, or undefined when the update changes
 * nothing. `current` is never touched: stored documents are immutable.
 */
export function applyUpdate(current: Document, spec: UpdateSpec, inputs: UpdateInputs): Document | undefined {
  let next: Document;
  if (spec.kind === "replacement") {
    if (spec.document._id !== undefined && valueKey(spec.document._id) !== valueKey(current._id)) {
      throw immutableId();
    }
    next = withIdFirst(cloneDocument(spec.document), current._id);
  } else if (spec.kind === "pipeline") {
    const [result] = new Aggregator(spec.stages, { variables: inputs.variables }).run([
      cloneDocument(current),
    ]) as Document[];
    // A stage that rebuilds the document ($replaceRoot, $project) without `_id` keeps the original one.
    next = result === undefined ? current : result._id === undefined ? withIdFirst(result, current._id) : result;
  } else {
    // The modifier is cloned per document: a multi-update must not share nested values between documents.
    const modifier = withoutIdNoOp(cloneDocument(spec.modifier), current._id);
    checkOperandTypes(current, modifier);
    const updated = applyOperators(cloneDocument(current), modifier, inputs);
    if (!updated) return undefined;
    next = updated;
  }
  if (valueKey(next._id) !== valueKey(current._id)) throw immutableId();
  return valueKey(next) === valueKey(current) ? undefined : next;
}

/**
 * `$set: { _id: <same value> }` is allowed, as on MongoDB, and dropped from
 * the (already cloned) modifier; any other operator on `_id` is refused.
 */
function withoutIdNoOp(modifier: Document, id: unknown): Document {
  for (const [operator, fields] of Object.entries(modifier)) {
    for (const [path, value] of Object.entries(fields as Document)) {
      if (path !== "_id" && !path.startsWith("_id.")) continue;
      if (operator !== "$set" || path !== "_id" || valueKey(value) !== valueKey(id)) throw immutableId();
      delete (fields as Document)[path];
    }
  }
  return modifier;
}

function immutableId(): CommandError {
  return new CommandError(
    "ImmutableField",
    "Performing an update on the path '_id' would modify the immutable field '_id'",
  );
}

function setPath(document: Document, path: string, value: unknown): void {
  const parts = path.split(".");
  let target = document;
  for (const part of parts.slice(0, -1)) {
    if (!isPlainObject(target[part])) target[part] = {};
    target = target[part];
  }
  target[parts[parts.length - 1] as string] = cloneDocument(value);
}

/** The filter's equality conditions become the new document's fields, as MongoDB seeds an upsert. */
function seedFromFilter(filter: Document, into: Document): Document {
  for (const [field, condition] of Object.entries(filter)) {
    if (field === "$and" && Array.isArray(condition)) {
      for (const clause of condition) if (isPlainObject(clause)) seedFromFilter(clause, into);
    } else if (field.startsWith("$")) {
    } else if (isPlainObject(condition) && Object.keys(condition).some((key) => key.startsWith("$"))) {
      if ("$eq" in condition && Object.keys(condition).length === 1) setPath(into, field, condition.$eq);
    } else if (!(condition instanceof RegExp)) {
      setPath(into, field, condition);
    }
  }
  return into;
}

/** The document an upsert inserts when nothing matched `filter`. */
export function buildUpsert(spec: UpdateSpec, inputs: UpdateInputs): Document {
  const seeded = seedFromFilter(inputs.filter, {});
  let document: Document;
  if (spec.kind === "replacement") {
    document = cloneDocument(spec.document);
    if (document._id === undefined && seeded._id !== undefined) document._id = seeded._id;
  } else if (spec.kind === "pipeline") {
    const [result] = new Aggregator(spec.stages, { variables: inputs.variables }).run([seeded]) as Document[];
    document = result ?? seeded;
  } else {
    document = seeded;
    // `$set: { _id }` equal to the filter's `_id` is a no-op, as on MongoDB; without one in the filter it sets it.
    const modifier =
      seeded._id === undefined ? cloneDocument(spec.modifier) : withoutIdNoOp(cloneDocument(spec.modifier), seeded._id);
    if (spec.setOnInsert) modifier.$set = { ...(modifier.$set ?? {}), ...cloneDocument(spec.setOnInsert) };
    document = applyOperators(document, modifier, { ...inputs, filter: {} }) ?? document;
  }
  // `_id: null` is a value like any other (MongoDB stores it); only a missing `_id` gets a new ObjectId.
  return withIdFirst(document, document._id === undefined ? new ObjectId() : document._id);
}
