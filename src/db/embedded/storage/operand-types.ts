import { Decimal128, type Document, Double, Int32, Long } from "bson";
import { CommandError } from "../errors.js";
import { isPlainObject } from "./values.js";

/**
 * The type errors MongoDB raises for update operators, which the query
 * engine (mingo) would silently skip: a number operator on a non-number, an
 * array operator on a non-array, a path through a scalar or an array. Checked
 * against the stored document before anything is applied, so a refused
 * update changes nothing. Paths with a positional part (`$`, `$[]`,
 * `$[id]`) are checked only up to it.
 */
export function checkOperandTypes(document: Document, modifier: Document): void {
  for (const [operator, fields] of Object.entries(modifier)) {
    for (const [path, argument] of Object.entries(fields as Document)) {
      if ((operator === "$inc" || operator === "$mul") && !isNumber(argument)) {
        const verb = operator === "$inc" ? "increment" : "multiply";
        throw new CommandError(
          "TypeMismatch",
          `Cannot ${verb} with non-numeric argument: {${path}: ${typeName(argument)}}`,
        );
      }
      const found = walk(document, path.split("."), CREATING.has(operator));
      if (found === undefined) continue;
      checkOperator(operator, path, found.value, document);
    }
  }
}

/** Operators that create the path when it is missing: through a scalar they cannot. The others leave it alone. */
const CREATING = new Set(["$set", "$inc", "$mul", "$min", "$max", "$push", "$addToSet", "$currentDate", "$bit"]);

function isNumber(value: unknown): boolean {
  return (
    typeof value === "number" ||
    value instanceof Long ||
    value instanceof Int32 ||
    value instanceof Double ||
    value instanceof Decimal128
  );
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "double";
  if (typeof value === "string") return "string";
  if (typeof value === "boolean") return "bool";
  if (value instanceof Date) return "date";
  if (isPlainObject(value)) return "object";
  return (value as { _bsontype?: string })?._bsontype?.toLowerCase() ?? typeof value;
}

const ARRAY_OPERATORS: Record<string, "BadValue" | "TypeMismatch"> = {
  $push: "BadValue",
  $addToSet: "BadValue",
  $pull: "BadValue",
  $pullAll: "BadValue",
  $pop: "TypeMismatch",
};

function checkOperator(operator: string, path: string, value: unknown, document: Document): void {
  const id = JSON.stringify({ _id: document._id });
  if (operator === "$inc" || operator === "$mul") {
    if (value !== undefined && !isNumber(value)) {
      throw new CommandError(
        "TypeMismatch",
        `Cannot apply ${operator} to a value of non-numeric type. ${id} has the field '${path}' of non-numeric type ${typeName(value)}`,
      );
    }
    return;
  }
  const arrayError = ARRAY_OPERATORS[operator];
  if (arrayError && value !== undefined && !Array.isArray(value)) {
    throw new CommandError(
      arrayError,
      `The field '${path}' must be an array but is of type ${typeName(value)} in document ${id}`,
    );
  }
}

/**
 * The value at `parts` (undefined when some part is missing: the operator
 * creates it), or PathNotViable when the path runs through a scalar, or
 * through an array by a name that is not an index.
 */
function walk(document: Document, parts: string[], creating: boolean): { value: unknown } | undefined {
  let current: unknown = document;
  for (const [index, part] of parts.entries()) {
    if (part.startsWith("$")) return undefined;
    if (current === undefined) return undefined;
    const isLast = index === parts.length - 1;
    let next: unknown;
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(part)) {
        if (!creating) return undefined;
        throw notViable(part, parts.slice(0, index).join("."), current);
      }
      next = current[Number(part)];
    } else if (isPlainObject(current)) {
      next = (current as Document)[part];
    } else {
      if (!creating) return undefined;
      throw notViable(part, parts.slice(0, index).join("."), current);
    }
    if (isLast) return { value: next };
    current = next;
  }
  return undefined;
}

function notViable(field: string, parent: string, value: unknown): CommandError {
  return new CommandError(
    "PathNotViable",
    `Cannot create field '${field}' in element {${parent}: ${JSON.stringify(value) ?? typeName(value)}}`,
  );
}
