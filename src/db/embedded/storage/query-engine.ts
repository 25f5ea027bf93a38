import type { Document } from "bson";
import { Aggregator as BaseAggregator } from "mingo/aggregator";
import { Context } from "mingo/core";
import { type Iterator, Lazy } from "mingo/lazy";
import * as accumulatorOperators from "mingo/operators/accumulator";
import * as expressionOperators from "mingo/operators/expression";
import * as pipelineOperators from "mingo/operators/pipeline";
import * as projectionOperators from "mingo/operators/projection";
import * as queryOperators from "mingo/operators/query";
import * as windowOperators from "mingo/operators/window";
import { Query as BaseQuery } from "mingo/query";
import { resolve } from "mingo/util";
import { sortDocuments } from "./bson-order.js";
import { QUERY_OVERRIDES } from "./query-operators.js";
import { isPlainObject } from "./values.js";

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

/** `$sort` in MongoDB's order of BSON values (mingo's puts a Decimal128 after every number). */
const $sort = (collection: Iterator, specification: Document, options: { collation?: unknown }) =>
  options.collation
    ? pipelineOperators.$sort(collection, specification, options as never)
    : collection.transform((documents) => Lazy(sortDocuments(documents as Document[], specification)));

/**
 * mingo with every operator it ships, but comparisons, `$type`, `$all`, the bit tests and `$sort` as MongoDB
 * defines them. Built once; mingo's own entry points cannot override a
 * built-in operator (their context merges the defaults over the caller's),
 * so queries and pipelines are made from its base classes with this one.
 */
const CONTEXT = Context.init({
  accumulator: accumulatorOperators,
  expression: expressionOperators,
  projection: { ...projectionOperators, $elemMatch } as typeof projectionOperators,
  query: { ...queryOperators, ...QUERY_OVERRIDES } as typeof queryOperators,
  pipeline: { ...pipelineOperators, $sort } as typeof pipelineOperators,
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
