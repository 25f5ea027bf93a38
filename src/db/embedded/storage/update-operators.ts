import type { Document } from "bson";
import { update as mingoUpdate } from "mingo";
import { CommandError } from "../errors.js";
import { modifierWithStandIns, namesSpecialFields, withOriginalNames, withStandIns } from "./field-names.js";
import { engineOptions, Query } from "./query-engine.js";
import { isPlainObject, lastConditionOn, parentAtPath } from "./values.js";

/** What an operator update reads besides its operators. */
export interface UpdateInputs {
  /** The statement's filter: the positional `$` stands for the array element it matched. */
  filter: Document;
  arrayFilters?: Document[];
  /** The command's `let`. */
  variables?: Document;
}

const LOGICAL = new Set(["$and", "$or", "$nor"]);

/**
 * A `$pull` condition like `{ $or: [{ a: 1 }, { b: 2 }] }` matches whole
 * elements as documents; mingo reads any `$` key as a value condition and
 * pulls nothing. These are applied here instead.
 */
function isDocumentCondition(condition: unknown): condition is Document {
  if (!isPlainObject(condition)) return false;
  const operators = Object.keys(condition).filter((key) => key.startsWith("$"));
  return operators.length > 0 && operators.every((key) => LOGICAL.has(key));
}

function pathParts(path: string): string[] {
  return path.split(".");
}

function isPositional(part: string): boolean {
  return part.startsWith("$");
}

/** The fields an update touches, as MongoDB checks them for conflicts: one may not be a prefix of another. */
function checkConflicts(paths: string[]): void {
  const sorted = paths.map(pathParts).sort((a, b) => a.length - b.length);
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length; j++) {
      const shorter = sorted[i] as string[];
      const longer = sorted[j] as string[];
      // Two positional parts at one level (`$[]` and `$[x]`) may address one element.
      const conflict = shorter.every(
        (part, index) => part === longer[index] || (isPositional(part) && isPositional(longer[index] as string)),
      );
      if (conflict) {
        throw new CommandError(
          "ConflictingUpdateOperators",
          `Updating the path '${longer.join(".")}' would create a conflict at '${shorter.join(".")}'`,
        );
      }
    }
  }
}

/** The field before a path's first positional part (`a` for `a.$[].b`). */
function arrayBase(path: string): string {
  const parts = pathParts(path);
  const positional = parts.findIndex(isPositional);
  return (positional < 0 ? parts : parts.slice(0, positional)).join(".");
}

/**
 * The modifier in pieces mingo applies one after another. mingo treats two
 * paths into one array (`a.$[].b`, `a.$[].c`) as a conflict, which MongoDB
 * allows; once `checkConflicts` has passed, non-conflicting paths touch
 * disjoint values, so applying them one at a time gives the same document.
 */
function conflictFreeParts(modifier: Document): Document[] {
  const entries: Array<[string, string, unknown]> = [];
  for (const [operator, fields] of Object.entries(modifier)) {
    for (const [path, value] of Object.entries(fields as Document)) entries.push([operator, path, value]);
  }
  const renames = Object.values((modifier.$rename ?? {}) as Document).filter((to) => typeof to === "string");
  checkConflicts([...entries.map(([, path]) => path), ...renames]);
  const bases = entries.filter(([, path]) => path.includes("$")).map(([, path]) => arrayBase(path));
  if (new Set(bases).size === bases.length) return [modifier];
  return entries.map(([operator, path, value]) => ({ [operator]: { [path]: value } }));
}

/** The filter's conditions on the array under a `.$` path, which mingo needs to find the matched element. */
function positionalCondition(modifier: Document, filter: Document): Document | undefined {
  const arrays = new Set<string>();
  for (const fields of Object.values(modifier)) {
    for (const path of Object.keys(fields as Document)) {
      const parts = pathParts(path);
      const at = parts.indexOf("$");
      if (at > 0) arrays.add(parts.slice(0, at).join("."));
    }
  }
  if (arrays.size === 0) return undefined;
  const condition: Document = {};
  for (const array of arrays) {
    const found = lastConditionOn(filter, array);
    if (!found) {
      throw new CommandError("BadValue", "The positional operator did not find the match needed from the query.");
    }
    condition[found[0]] = found[1];
  }
  return condition;
}

function pullMatching(document: Document, path: string, condition: Document, variables?: Document): boolean {
  const [parent, field] = parentAtPath(document, path);
  if (!parent || !Array.isArray(parent[field])) return false;
  const query = new Query(condition, variables);
  const kept = (parent[field] as unknown[]).filter((element) => !(isPlainObject(element) && query.test(element)));
  if (kept.length === parent[field].length) return false;
  parent[field] = kept;
  return true;
}

/**
 * Applies an operator update (already cloned, `_id` checked) to `document`, which it may change in place: the
 * updated document, or undefined when nothing changed.
 */
export function applyOperators(document: Document, modifier: Document, inputs: UpdateInputs): Document | undefined {
  if (!namesSpecialFields(modifier)) return applyPlainOperators(document, modifier, inputs) ? document : undefined;
  const standingIn = withStandIns(document);
  return applyPlainOperators(standingIn, modifierWithStandIns(modifier), inputs)
    ? withOriginalNames(standingIn)
    : undefined;
}

function applyPlainOperators(document: Document, modifier: Document, inputs: UpdateInputs): boolean {
  const documentPulls: Array<[string, Document]> = [];
  const pulls = modifier.$pull as Document | undefined;
  if (pulls) {
    for (const [path, condition] of Object.entries(pulls)) {
      if (!isDocumentCondition(condition) || path.includes("$")) continue;
      documentPulls.push([path, condition]);
      delete pulls[path];
    }
    if (Object.keys(pulls).length === 0) delete modifier.$pull;
  }
  let changed = false;
  const options = { cloneMode: "none" as const, queryOptions: engineOptions(inputs.variables) };
  for (const part of Object.keys(modifier).length > 0 ? conflictFreeParts(modifier) : []) {
    const condition = positionalCondition(part, inputs.filter);
    const fields = mingoUpdate(document, part, inputs.arrayFilters, condition, options);
    changed = fields.length > 0 || changed;
  }
  for (const [path, condition] of documentPulls) {
    changed = pullMatching(document, path, condition, inputs.variables) || changed;
  }
  return changed;
}
