import type { Document } from "bson";
import { Aggregator as BaseAggregator } from "mingo/aggregator";
import { Context } from "mingo/core";
import * as accumulatorOperators from "mingo/operators/accumulator";
import * as expressionOperators from "mingo/operators/expression";
import * as pipelineOperators from "mingo/operators/pipeline";
import * as projectionOperators from "mingo/operators/projection";
import * as queryOperators from "mingo/operators/query";
import * as windowOperators from "mingo/operators/window";
import { Query as BaseQuery } from "mingo/query";
import { isEqual, resolve } from "mingo/util";
import { isPlainObject } from "./values.js";

type QueryOperator = (
  selector: string,
  value: unknown,
  options: Parameters<typeof queryOperators.$type>[2],
) => (document: Document) => boolean;

/** The BSON class of a value the driver decoded (ObjectId, Binary, Decimal128, Long…), whichever bson copy made it. */
const bsonTypeOf = (value: unknown): string | undefined =>
  typeof value === "object" && value !== null ? (value as { _bsontype?: string })._bsontype : undefined;

/**
 * The `$type` aliases mingo gets wrong (it has no BSON classes: objectId and
 * binData never match, decimal matches any number), by name and by number.
 * The others are mingo's.
 */
const BSON_TYPES: Record<string, (value: unknown) => boolean> = {
  objectId: (value) => bsonTypeOf(value) === "ObjectId",
  binData: (value) => bsonTypeOf(value) === "Binary",
  decimal: (value) => bsonTypeOf(value) === "Decimal128",
  long: (value) => bsonTypeOf(value) === "Long",
  number: (value) =>
    typeof value === "number" || ["Decimal128", "Long", "Int32", "Double"].includes(bsonTypeOf(value) ?? ""),
};
const BSON_TYPE_NUMBERS: Record<number, string> = { 5: "binData", 7: "objectId", 18: "long", 19: "decimal" };

const $type: QueryOperator = (selector, value, options) => {
  const asked = (Array.isArray(value) ? value : [value]).map((type) =>
    typeof type === "number" ? (BSON_TYPE_NUMBERS[type] ?? type) : type,
  );
  const ours = asked.filter((type): type is string => typeof type === "string" && type in BSON_TYPES);
  const theirs = asked.filter((type) => !ours.includes(type as string));
  const fallback = theirs.length > 0 ? queryOperators.$type(selector, theirs, options) : undefined;
  return (document) => {
    if (ours.length > 0) {
      const found = resolve(document, selector, { unwrapArray: true });
      // An array field matches when it or one of its elements has the type.
      const candidates = Array.isArray(found) ? [found, ...found] : [found];
      if (ours.some((type) => candidates.some((candidate) => BSON_TYPES[type]?.(candidate)))) return true;
    }
    return fallback ? fallback(document) : false;
  };
};

/** As on MongoDB, a field that is not an array is matched as an array of that one value. */
const $all: QueryOperator = (selector, value, options) => {
  const forArrays = queryOperators.$all(selector, value, options);
  return (document) => {
    const found = resolve(document, selector, { unwrapArray: true });
    if (found === undefined || Array.isArray(found) || !Array.isArray(value) || value.length === 0) {
      return forArrays(document);
    }
    return value.every((expected) =>
      expected instanceof RegExp ? typeof found === "string" && expected.test(found) : isEqual(expected, found),
    );
  };
};

type ProjectionOperator = (document: Document, expression: unknown, field: string, options: never) => unknown;

/**
 * `{ ids: { $elemMatch: { $in: [20] } } }`: a condition of operators only applies to each element as a value, as
 * in a query's `$elemMatch`; mingo reads it as a document condition and fails on the unknown top-level operator.
 */
const $elemMatch: ProjectionOperator = (document, expression, field, options) => {
  const keys = isPlainObject(expression) ? Object.keys(expression) : [];
  const onValues =
    keys.length > 0 && keys.every((key) => key.startsWith("$") && !["$and", "$or", "$nor"].includes(key));
  if (!onValues) return projectionOperators.$elemMatch(document, expression as never, field, options);
  const array = resolve(document, field);
  if (!Array.isArray(array)) return undefined;
  const query = new BaseQuery({ value: expression }, options);
  const found = array.find((element) => query.test({ value: element }));
  return found === undefined ? undefined : [found];
};

/**
 * mingo with every operator it ships, but `$type` and `$all` as MongoDB
 * defines them. Built once; mingo's own entry points cannot override a
 * built-in operator (their context merges the defaults over the caller's),
 * so queries and pipelines are made from its base classes with this one.
 */
const CONTEXT = Context.init({
  accumulator: accumulatorOperators,
  expression: expressionOperators,
  pipeline: pipelineOperators,
  projection: { ...projectionOperators, $elemMatch } as typeof projectionOperators,
  query: { ...queryOperators, $type, $all } as typeof queryOperators,
  window: windowOperators,
});

/** What mingo needs to evaluate a query or expression: these operators, and the command's `let` variables. */
export function engineOptions(variables?: Document) {
  return { context: CONTEXT, variables };
}

export class Query extends BaseQuery {
  /** `variables` are the command's `let`, which `$expr` reads as `$$name`. */
  constructor(condition: Document, variables?: Document) {
    super(condition, engineOptions(variables));
  }
}

export class Aggregator extends BaseAggregator {
  constructor(
    pipeline: Document[],
    options: Omit<NonNullable<ConstructorParameters<typeof BaseAggregator>[1]>, "context"> = {},
  ) {
    super(pipeline, { ...options, context: CONTEXT });
  }
}

/** Whether mingo runs this pipeline stage (`$match`, `$group`…). */
export function isKnownStage(name: string): boolean {
  return Object.hasOwn(pipelineOperators, name);
}

/** Documents in the order given, with a projection: a cursor to sort, skip and limit. */
export function find(documents: Document[], projection?: Document) {
  return new Query({}).find(documents, projection);
}
