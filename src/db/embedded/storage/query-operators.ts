import type { Document } from "bson";
import * as queryOperators from "mingo/operators/query";
import { Query } from "mingo/query";
import { isEqual, resolve } from "mingo/util";
import { CommandError } from "../errors.js";
import { bitsOperators } from "./bit-operators.js";
import { bsonTypeOf, compareBson, isNumeric, toDouble, typeRank } from "./bson-order.js";
import { withStandIns } from "./field-names.js";
import { isPlainObject } from "./values.js";

export type QueryOperator = (
  selector: string,
  value: unknown,
  options: Parameters<typeof queryOperators.$type>[2],
) => (document: Document) => boolean;

/** What a condition on `selector` is tested against: the field's value and, for an array, each element. */
export function candidatesAt(document: Document, selector: string): unknown[] {
  const found = resolve(document, selector, { unwrapArray: true });
  return Array.isArray(found) ? [found, ...found] : [found];
}

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
  number: isNumeric,
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
      const candidates = candidatesAt(document, selector);
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

/**
 * `$gt`, `$gte`, `$lt`, `$lte` in MongoDB's order: numbers of every BSON type compare numerically (a Decimal128
 * against a double), BinData by length, subtype and bytes; only values of the operand's type rank are compared,
 * and a missing field counts as null.
 */
function range(accepts: (order: number) => boolean): QueryOperator {
  return (selector, value) => {
    const rank = typeRank(value);
    return (document) =>
      candidatesAt(document, selector).some(
        (candidate) => typeRank(candidate) === rank && accepts(compareBson(candidate, value)),
      );
  };
}

/**
 * Equality, with MongoDB's numeric equality across BSON types (`{ v: 1.5 }` finds `Decimal128('1.5')`), which
 * mingo's structural equality misses; mingo's answer stands whenever it matches. Without a numeric operand there is
 * nothing to add, and the condition is mingo's alone.
 */
function withNumericEquality(
  selector: string,
  operands: unknown[],
  structural: (document: Document) => boolean,
): (document: Document) => boolean {
  const numbers = operands.filter(isNumeric).map(toDouble);
  if (numbers.length === 0) return structural;
  return (document) =>
    structural(document) ||
    candidatesAt(document, selector).some((candidate) => isNumeric(candidate) && numbers.includes(toDouble(candidate)));
}

const $eq: QueryOperator = (selector, value, options) =>
  withNumericEquality(selector, [value], queryOperators.$eq(selector, value, options));

const $ne: QueryOperator = (selector, value, options) => {
  const equal = $eq(selector, value, options);
  return (document) => !equal(document);
};

const $in: QueryOperator = (selector, value, options) =>
  withNumericEquality(selector, Array.isArray(value) ? value : [], queryOperators.$in(selector, value, options));

const $nin: QueryOperator = (selector, value, options) => {
  const within = $in(selector, value, options);
  return (document) => !within(document);
};

/** `$jsonSchema` is refused, in queries and validators alike, rather than half-done (the README lists it). */
export function jsonSchemaRefused(): CommandError {
  return new CommandError("CommandNotSupported", "$jsonSchema is not supported by the embedded database");
}

const DBREF_FIELDS = new Set(["$ref", "$id", "$db"]);

/**
 * `$elemMatch` on DBRefs (`{ $elemMatch: { $id: 5 } }`) names fields that look like operators to mingo; the
 * condition and each element are matched with stand-in names instead.
 */
const $elemMatch: QueryOperator = (selector, value, options) => {
  if (!isPlainObject(value) || !Object.keys(value).some((key) => DBREF_FIELDS.has(key))) {
    return queryOperators.$elemMatch(selector, value as never, options);
  }
  const query = new Query(withStandIns(value), options);
  return (document) => {
    const array = resolve(document, selector);
    return Array.isArray(array) && array.some((element) => isPlainObject(element) && query.test(withStandIns(element)));
  };
};

/** The query operators that differ from mingo's, by name. */
export const QUERY_OVERRIDES: Record<string, QueryOperator> = {
  $type,
  $all,
  $eq,
  $ne,
  $in,
  $nin,
  $elemMatch,
  $jsonSchema: () => {
    throw jsonSchemaRefused();
  },
  $gt: range((order) => order > 0),
  $gte: range((order) => order >= 0),
  $lt: range((order) => order < 0),
  $lte: range((order) => order <= 0),
  ...bitsOperators(candidatesAt),
};
