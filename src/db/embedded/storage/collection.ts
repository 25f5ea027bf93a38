import { calculateObjectSize, type Document, ObjectId } from "bson";
import { CommandError } from "../errors.js";
import { duplicateKeyError, HashIndex, type IndexSpec } from "./indexes.js";
import { Query } from "./query-engine.js";
import { Validator } from "./validator.js";
import { isPlainObject, nestingDepth, valueKey } from "./values.js";

export const ID_INDEX: IndexSpec = { key: { _id: 1 }, name: "_id_" };

/** MongoDB's limit on one stored document (`maxBsonObjectSize`): a larger one could be stored, never read back. */
export const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;

function checkStorable(document: Document): void {
  checkNesting(document);
  const size = calculateObjectSize(document);
  if (size > MAX_BSON_OBJECT_SIZE) {
    throw new CommandError(
      "BSONObjectTooLarge",
      `object to store too large: ${size} bytes, the most is ${MAX_BSON_OBJECT_SIZE}`,
    );
  }
}

function isIndexableScalar(value: unknown): boolean {
  return (
    typeof value === "string" ||
    typeof value === "number" ||
    typeof value === "boolean" ||
    value instanceof Date ||
    value instanceof ObjectId
  );
}

/** Top-level `field: scalar` and `field: {$eq: scalar}` conditions, including those inside `$and`. */
function equalityConditions(filter: Document, into = new Map<string, unknown>()): Map<string, unknown> {
  for (const [field, condition] of Object.entries(filter)) {
    if (field === "$and" && Array.isArray(condition)) {
      for (const clause of condition) if (isPlainObject(clause)) equalityConditions(clause, into);
    } else if (field.startsWith("$")) {
    } else if (isIndexableScalar(condition)) {
      into.set(field, condition);
    } else if (isPlainObject(condition) && Object.keys(condition).length === 1 && isIndexableScalar(condition.$eq)) {
      into.set(field, condition.$eq);
    }
  }
  return into;
}

/**
 * One collection: documents keyed by `_id`, plus hash indexes. Stored
 * documents are never mutated in place; an update builds a new document and
 * swaps it in, so a cursor's snapshot and a reply being serialized never see
 * a half-applied change.
 */
/** MongoDB refuses to store documents nested more deeply than this. */
const MAX_STORED_NESTING = 100;

function checkNesting(document: Document): void {
  if (nestingDepth(document, MAX_STORED_NESTING) > MAX_STORED_NESTING) {
    throw new CommandError("Overflow", `document nesting exceeds the limit of ${MAX_STORED_NESTING} levels`);
  }
}

/** `_id` may be a document, but not one with `$`-prefixed fields (which could read as an operator). */
function checkIdFields(id: unknown): void {
  if (!isPlainObject(id)) return;
  const dollar = Object.keys(id).find((key) => key.startsWith("$"));
  if (dollar) {
    throw new CommandError(
      "InvalidIdField",
      `_id fields may not contain '$'-prefixed fields: ${dollar} is not valid for storage.`,
    );
  }
}

export class Collection {
  readonly namespace: string;
  readonly options: Document;
  private readonly documents = new Map<string, Document>();
  private readonly indexes = new Map<string, HashIndex>();
  private readonly validator: Validator | undefined;

  constructor(namespace: string, options: Document = {}) {
    this.namespace = namespace;
    this.options = options;
    this.validator = Validator.fromOptions(options);
  }

  get size(): number {
    return this.documents.size;
  }

  all(): IterableIterator<Document> {
    return this.documents.values();
  }

  indexSpecs(): IndexSpec[] {
    return [ID_INDEX, ...[...this.indexes.values()].map((index) => index.spec)];
  }

  findIndex(name: string): HashIndex | undefined {
    return this.indexes.get(name);
  }

  /** Builds the index over existing documents first, so a unique violation leaves nothing half-made. */
  createIndex(spec: IndexSpec): void {
    const index = new HashIndex(spec);
    for (const [id, document] of this.documents) {
      index.checkUnique(this.namespace, document);
      index.add(document, id);
    }
    this.indexes.set(spec.name, index);
  }

  dropIndex(name: string): boolean {
    return this.indexes.delete(name);
  }

  /** The keys of an `_id` equality or `$in` of scalars, which a look-up answers exactly; else undefined. */
  private idKeys(filter: Document): string[] | undefined {
    const idCondition = filter._id;
    if (isIndexableScalar(idCondition)) return [valueKey(idCondition)];
    if (isPlainObject(idCondition) && Object.keys(idCondition).length === 1) {
      if (isIndexableScalar(idCondition.$eq)) return [valueKey(idCondition.$eq)];
      if (Array.isArray(idCondition.$in) && idCondition.$in.every(isIndexableScalar)) {
        return idCondition.$in.map(valueKey);
      }
    }
    return undefined;
  }

  /** The documents a filter can match, narrowed by an index when it has plain equalities. */
  private candidates(filter: Document): Iterable<Document> {
    const equalities = equalityConditions(filter);
    if (equalities.size === 0) return this.documents.values();
    let best: Set<string> | undefined;
    for (const index of this.indexes.values()) {
      if (!index.coversAllDocuments || !index.fields.every((field) => equalities.has(field))) continue;
      const ids = index.lookup(index.fields.map((field) => equalities.get(field)));
      if (!best || ids.size < best.size) best = ids;
    }
    return best ? this.byIds([...best]) : this.documents.values();
  }

  private byIds(ids: string[]): Document[] {
    const found: Document[] = [];
    for (const id of new Set(ids)) {
      const document = this.documents.get(id);
      if (document) found.push(document);
    }
    return found;
  }

  /** Matching documents in natural (insertion) order; `variables` are the command's `let`. */
  find(filter: Document, variables?: Document): Document[] {
    const ids = this.idKeys(filter);
    if (ids) {
      // The look-up has decided `_id`; testing a large `$in` again per document would cost O(n²).
      const { _id: _decided, ...rest } = filter;
      const query = new Query(rest, variables);
      return this.byIds(ids).filter((document) => query.test(document));
    }
    const query = new Query(filter, variables);
    const matches: Document[] = [];
    for (const document of this.candidates(filter)) if (query.test(document)) matches.push(document);
    return matches;
  }

  /** Stores a new document; `validate: false` is the command's `bypassDocumentValidation`. */
  insert(document: Document, validate = true): Document {
    checkStorable(document);
    // `_id` first, wherever the client put it (the driver appends the one it generates), as MongoDB stores it.
    const { _id, ...fields } = document;
    const stored = { _id: _id === undefined ? new ObjectId() : _id, ...fields };
    if (Array.isArray(stored._id)) throw new CommandError("BadValue", "can't use an array for _id");
    checkIdFields(stored._id);
    const id = valueKey(stored._id);
    if (this.documents.has(id)) throw duplicateKeyError(this.namespace, ID_INDEX, { _id: stored._id });
    if (validate) this.validator?.check(stored);
    for (const index of this.indexes.values()) index.checkUnique(this.namespace, stored);
    this.documents.set(id, stored);
    for (const index of this.indexes.values()) index.add(stored, id);
    return stored;
  }

  replace(previous: Document, next: Document, validate = true): void {
    checkStorable(next);
    if (validate) this.validator?.check(next, previous);
    const id = valueKey(previous._id);
    if (valueKey(next._id) !== id) {
      throw new CommandError(
        "ImmutableField",
        "Performing an update on the path '_id' would modify the immutable field '_id'",
      );
    }
    for (const index of this.indexes.values()) index.checkUnique(this.namespace, next, id);
    for (const index of this.indexes.values()) index.remove(previous, id);
    this.documents.set(id, next);
    for (const index of this.indexes.values()) index.add(next, id);
  }

  remove(document: Document): void {
    const id = valueKey(document._id);
    if (!this.documents.delete(id)) return;
    for (const index of this.indexes.values()) index.remove(document, id);
  }
}
