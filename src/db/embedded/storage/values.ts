import { Binary, DBRef, type Document, ObjectId } from "bson";

/**
 * mingo compares objects of one class by `toString()`. For `Binary` that is a
 * UTF-8 decoding of the bytes, so distinct byte arrays (say, two Yjs updates)
 * could compare equal. This subclass makes the string form exact; the BSON
 * serializer still sees a `Binary` and writes the same bytes and subtype.
 */
export class ExactBinary extends Binary {
  override toString(encoding?: "hex" | "base64" | "utf8" | "utf-8"): string {
    if (encoding) return super.toString(encoding);
    return `${this.sub_type}:${super.toString("base64")}`;
  }
}

function isPlainObject(value: unknown): value is Document {
  if (value === null || typeof value !== "object") return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * How deeply documents and arrays nest in `value` (a scalar is 0), counted
 * without recursion so that no nesting can overflow the stack; stops early
 * once past `limit`.
 */
export function nestingDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    const children = Array.isArray(current) ? current : isPlainObject(current) ? Object.values(current) : undefined;
    if (!children) continue;
    const level = depth + 1;
    if (level > deepest) deepest = level;
    if (deepest > limit) return deepest;
    for (const child of children) stack.push([child, level]);
  }
  return deepest;
}

/**
 * Readies a freshly deserialized value for the store, in place: every `Binary` becomes an `ExactBinary` over the
 * same bytes, every DBRef the plain `{ $ref, $id }` document it was on the wire. Everything that enters the store
 * or a query passes through here, so comparisons are byte-exact and paths reach DBRef fields everywhere.
 */
export function adoptBsonValues<T>(value: T): T {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = adoptBsonValues(value[i]);
    return value;
  }
  if (value instanceof Binary) {
    if (value instanceof ExactBinary) return value;
    return new ExactBinary(value.buffer, value.sub_type) as T;
  }
  if (value instanceof DBRef) {
    // Stored and queried as the document it is on the wire, so `ref.$id` and `$elemMatch: { $id }` reach its fields.
    const { collection, oid, db, fields } = value;
    return adoptBsonValues({ $ref: collection, $id: oid, ...(db === undefined ? {} : { $db: db }), ...fields }) as T;
  }
  if (isPlainObject(value)) {
    const document: Document = value;
    for (const key of Object.keys(document)) document[key] = adoptBsonValues(document[key]);
  }
  return value;
}

/** `document[key] = value`, where `__proto__` is a field like any other (MongoDB's) rather than the prototype. */
export function setOwnField(document: Document, key: string, value: unknown): void {
  if (key === "__proto__")
    Object.defineProperty(document, key, { value, enumerable: true, writable: true, configurable: true });
  else document[key] = value;
}

/**
 * A copy of plain objects and arrays; BSON leaves (ObjectId, Binary, Date) are
 * shared because nothing in the store mutates them.
 */
export function cloneDocument<T>(value: T): T {
  if (Array.isArray(value)) return value.map(cloneDocument) as T;
  if (isPlainObject(value)) {
    const copy: Document = {};
    for (const key of Object.keys(value)) setOwnField(copy, key, cloneDocument(value[key]));
    return copy as T;
  }
  return value;
}

/**
 * A string that is equal for two values exactly when MongoDB's equality
 * would call them equal (numbers by value, ObjectIds by bytes, documents by
 * ordered fields). It keys `_id` look-ups and hash indexes.
 */
export function valueKey(value: unknown): string {
  if (value === undefined || value === null) return "z";
  switch (typeof value) {
    case "number":
      return `n${Object.is(value, -0) ? 0 : value}`;
    case "string":
      return `s${JSON.stringify(value)}`;
    case "boolean":
      return value ? "bt" : "bf";
    case "bigint":
      return `n${value}`;
  }
  if (value instanceof ObjectId) return `o${value.toHexString()}`;
  if (value instanceof Date) return `d${value.getTime()}`;
  if (value instanceof Binary) return `x${value.sub_type}:${Buffer.from(value.buffer).toString("base64")}`;
  if (value instanceof RegExp) return `r${value.source}/${value.flags}`;
  if (Array.isArray(value)) return `[${value.map(valueKey).join(",")}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value)
      .map((key) => `${JSON.stringify(key)}:${valueKey(value[key])}`)
      .join(",")}}`;
  }
  const bsonType = (value as { _bsontype?: string })._bsontype ?? "unknown";
  return `t${bsonType}:${String(value)}`;
}

/**
 * The values a dotted path reaches in a document, descending into arrays the
 * way a multikey index does. An empty result means the path is missing.
 */
export function valuesAtPath(document: unknown, path: string): unknown[] {
  const results: unknown[] = [];
  const walk = (current: unknown, parts: string[], index: number) => {
    if (index === parts.length) {
      if (Array.isArray(current)) {
        if (current.length === 0) results.push(undefined);
        else results.push(...current);
      } else {
        results.push(current);
      }
      return;
    }
    if (Array.isArray(current)) {
      for (const element of current) walk(element, parts, index);
      return;
    }
    if (!isPlainObject(current)) return;
    const part = parts[index] as string;
    if (!(part in current)) return;
    walk(current[part], parts, index + 1);
  };
  walk(document, path.split("."), 0);
  return results;
}

/** The object holding the last field of a dotted path, and that field's name; undefined when the path is not reachable. */
export function parentAtPath(document: Document, path: string): [Document | undefined, string] {
  const parts = path.split(".");
  let parent: unknown = document;
  for (const part of parts.slice(0, -1)) parent = isPlainObject(parent) ? parent[part] : undefined;
  return [isPlainObject(parent) ? parent : undefined, parts[parts.length - 1] as string];
}

/**
 * The filter's last condition on an array field (on it or a path under it, `$and` clauses included): what the
 * positional `$` stands for in an update or a projection, as MongoDB uses the last one that matched.
 */
export function lastConditionOn(filter: Document, array: string): [string, unknown] | undefined {
  let condition: [string, unknown] | undefined;
  const collect = (clauses: Document) => {
    for (const [key, value] of Object.entries(clauses)) {
      if (key === "$and" && Array.isArray(value)) value.filter(isPlainObject).forEach(collect);
      else if (key === array || key.startsWith(`${array}.`)) condition = [key, value];
    }
  };
  collect(filter);
  return condition;
}

export { isPlainObject };
