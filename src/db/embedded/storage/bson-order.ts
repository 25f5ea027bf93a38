import type { Document } from "bson";
import { isPlainObject, valuesAtPath } from "./values.js";

/** The BSON class of a value the driver decoded (ObjectId, Binary, Decimal128, Long…), whichever bson copy made it. */
export const bsonTypeOf = (value: unknown): string | undefined =>
  typeof value === "object" && value !== null ? (value as { _bsontype?: string })._bsontype : undefined;

const NUMERIC_CLASSES = new Set(["Decimal128", "Long", "Int32", "Double"]);

export function isNumeric(value: unknown): boolean {
  return typeof value === "number" || typeof value === "bigint" || NUMERIC_CLASSES.has(bsonTypeOf(value) ?? "");
}

/** A numeric BSON value as a double: exact for doubles and int32, nearest for longs and decimals. */
export function toDouble(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (bsonTypeOf(value) === "Long") return (value as { toNumber(): number }).toNumber();
  return Number(String(value));
}

/**
 * MongoDB's order of BSON types (MinKey, null, numbers, strings, documents, arrays, BinData, ObjectId, booleans,
 * dates, timestamps, regular expressions, MaxKey). Values of different types compare by this rank alone; range
 * queries only compare values of one rank.
 */
export function typeRank(value: unknown): number {
  if (value === undefined || value === null) return 1;
  if (isNumeric(value)) return 2;
  if (typeof value === "string") return 3;
  if (typeof value === "boolean") return 8;
  if (value instanceof Date) return 9;
  if (value instanceof RegExp) return 11;
  if (Array.isArray(value)) return 5;
  if (isPlainObject(value)) return 4;
  const ranks: Record<string, number> = {
    MinKey: 0,
    BSONSymbol: 3,
    Binary: 6,
    ObjectId: 7,
    Timestamp: 10,
    BSONRegExp: 11,
    MaxKey: 12,
  };
  return ranks[bsonTypeOf(value) ?? ""] ?? 4;
}

function compareScalars<T>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length));
}

/** Same-rank comparison, as MongoDB orders values of one type. */
function compareWithinRank(rank: number, a: unknown, b: unknown): number {
  switch (rank) {
    case 2:
      return compareScalars(toDouble(a), toDouble(b));
    case 3:
      return compareScalars(String(a), String(b));
    case 4:
      return compareDocuments(a as Document, b as Document);
    case 5: {
      const [left, right] = [a as unknown[], b as unknown[]];
      for (let i = 0; i < Math.min(left.length, right.length); i++) {
        const order = compareBson(left[i], right[i]);
        if (order !== 0) return order;
      }
      return compareScalars(left.length, right.length);
    }
    case 6: {
      // BinData orders by length, then subtype, then bytes.
      type BinData = { buffer: Uint8Array; sub_type: number };
      const [left, right] = [a as BinData, b as BinData];
      return (
        compareScalars(left.buffer.length, right.buffer.length) ||
        compareScalars(left.sub_type, right.sub_type) ||
        compareBytes(left.buffer, right.buffer)
      );
    }
    case 7:
      return compareScalars(String(a), String(b));
    case 8:
      return compareScalars(Number(a), Number(b));
    case 9:
      return compareScalars((a as Date).getTime(), (b as Date).getTime());
    case 10:
      return (a as { compare(other: unknown): number }).compare(b);
    default:
      return compareScalars(String(a), String(b));
  }
}

function compareDocuments(a: Document, b: Document): number {
  const [left, right] = [Object.entries(a), Object.entries(b)];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const [[leftKey, leftValue], [rightKey, rightValue]] = [left[i], right[i]] as [
      [string, unknown],
      [string, unknown],
    ];
    const order =
      compareScalars(typeRank(leftValue), typeRank(rightValue)) ||
      compareScalars(leftKey, rightKey) ||
      compareBson(leftValue, rightValue);
    if (order !== 0) return order;
  }
  return compareScalars(left.length, right.length);
}

/** MongoDB's total order over BSON values: by type rank, then within the type. */
export function compareBson(a: unknown, b: unknown): number {
  const rank = typeRank(a);
  return compareScalars(rank, typeRank(b)) || compareWithinRank(rank, a, b);
}

/** The value a document sorts by on one field: an array sorts by its least element ascending, greatest descending. */
function sortKey(document: Document, path: string, direction: number): unknown {
  const values = valuesAtPath(document, path);
  if (values.length === 0) return null;
  let chosen = values[0];
  for (const value of values) if (compareBson(value, chosen) * direction < 0) chosen = value;
  return chosen;
}

/** Documents in the order of a sort specification (`{ field: 1 | -1 }`); a stable sort, as MongoDB's is. */
export function sortDocuments(documents: Document[], specification: Document): Document[] {
  const fields = Object.entries(specification).map(([path, direction]) => [path, Number(direction) < 0 ? -1 : 1]);
  const keyed = documents.map((document) => ({
    document,
    keys: fields.map(([path, direction]) => sortKey(document, path as string, direction as number)),
  }));
  keyed.sort((a, b) => {
    for (let i = 0; i < fields.length; i++) {
      const order = compareBson(a.keys[i], b.keys[i]) * (fields[i]?.[1] as number);
      if (order !== 0) return order;
    }
    return 0;
  });
  return keyed.map(({ document }) => document);
}
