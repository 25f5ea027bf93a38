import type { Document } from "bson";
import { find, Query } from "./query-engine.js";
import { isPlainObject, lastConditionOn, parentAtPath } from "./values.js";

/**
 * A find projection as MongoDB applies it, on top of mingo's:
 * - `{ 'tags.$': 1 }` keeps the array element the filter matched (mingo has no filter to look at);
 * - `$slice` neither includes nor excludes: alone or beside exclusions it slices the whole document;
 * - `_id` comes first in every projected document.
 */
export function projectDocuments(documents: Document[], projection: Document, filter: Document): Document[] {
  if (Object.keys(projection).length === 0) return documents;
  const positional: string[] = [];
  const slices: Array<[string, unknown]> = [];
  const rest: Document = {};
  for (const [key, value] of Object.entries(projection)) {
    if (key.endsWith(".$")) {
      positional.push(key.slice(0, -2));
      rest[key.slice(0, -2)] = 1;
    } else if (isPlainObject(value) && "$slice" in value && Object.keys(value).length === 1) {
      slices.push([key, value.$slice]);
    } else {
      rest[key] = value;
    }
  }
  const including = Object.entries(rest).some(([key, value]) => key !== "_id" && isInclusion(value));
  // With an inclusion, mingo applies `$slice` itself and keeps the sliced field.
  const mingoProjection = including
    ? { ...rest, ...Object.fromEntries(slices.map(([k, v]) => [k, { $slice: v }])) }
    : rest;
  const projected =
    Object.keys(mingoProjection).length > 0
      ? (find(documents, mingoProjection).all() as Document[])
      : documents.map((document) => ({ ...document }));
  const matchers = positional.map((field) => [field, elementMatcher(field, filter)] as const);
  return projected.map((document, index) => {
    const original = documents[index] as Document;
    for (const [field, matches] of matchers) keepMatchedElement(original, document, field, matches);
    if (!including) for (const [path, spec] of slices) slicePath(document, path, spec);
    return "_id" in document ? idFirst(document) : document;
  });
}

function isInclusion(value: unknown): boolean {
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return value !== 0;
  // Expressions and `$elemMatch` include a computed field.
  return true;
}

function idFirst(document: Document): Document {
  const { _id, ...rest } = document;
  return { _id, ...rest };
}

/** A test of one array element against the filter's conditions on that array (the last, as MongoDB uses). */
function elementMatcher(field: string, filter: Document): (element: unknown) => boolean {
  const condition = lastConditionOn(filter, field);
  if (!condition) return () => false;
  const query = new Query({ [condition[0]]: condition[1] });
  return (element) => query.test(nest(field, [element]));
}

function nest(path: string, value: unknown): Document {
  return path
    .split(".")
    .reverse()
    .reduce<Document>((inner, part) => ({ [part]: inner }), value as Document);
}

/**
 * Replaces the array at `path` in a projected document by `change(array)` (removing the field when that is
 * undefined). Projected documents share nested values with stored ones, so each object on the way is copied.
 */
function changeArray(document: Document, path: string, change: (array: unknown[]) => unknown[] | undefined): void {
  const parts = path.split(".");
  let parent = document;
  for (const part of parts.slice(0, -1)) {
    if (!isPlainObject(parent[part])) return;
    parent[part] = { ...parent[part] };
    parent = parent[part];
  }
  const name = parts[parts.length - 1] as string;
  if (!Array.isArray(parent[name])) return;
  const next = change(parent[name]);
  if (next === undefined) delete parent[name];
  else parent[name] = next;
}

function keepMatchedElement(
  original: Document,
  projected: Document,
  field: string,
  matches: (element: unknown) => boolean,
): void {
  const [source, name] = parentAtPath(original, field);
  const array = source?.[name];
  if (!Array.isArray(array)) return;
  const element = array.find(matches);
  changeArray(projected, field, () => (element === undefined ? undefined : [element]));
}

/** `$slice: n` keeps the first n (the last -n); `[skip, n]` skips from the start (from the end when negative). */
function slicePath(document: Document, path: string, spec: unknown): void {
  changeArray(document, path, (array) => {
    if (typeof spec === "number") {
      return spec >= 0 ? array.slice(0, spec) : array.slice(Math.max(0, array.length + spec));
    }
    if (Array.isArray(spec) && typeof spec[0] === "number" && typeof spec[1] === "number") {
      const start = spec[0] >= 0 ? spec[0] : Math.max(0, array.length + spec[0]);
      return array.slice(start, start + spec[1]);
    }
    return array;
  });
}
