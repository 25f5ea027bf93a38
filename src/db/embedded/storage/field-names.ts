import type { Document } from "bson";
import { isPlainObject, setOwnField } from "./values.js";

/**
 * Field names MongoDB stores like any other but mingo's update engine refuses: `$`-prefixed names (`$myKey`, a
 * DBRef's `$id`) and `__proto__`. Around an update that names one, the document and the paths are rewritten to
 * stand-in names and back, so mingo only ever sees names it takes.
 */
const POSITIONAL = /^\$(\[([a-z]\w*)?\])?$/;
const STAND_IN = "\u0001";
const PROTO_STAND_IN = `${STAND_IN}p`;
const DOLLAR_STAND_IN = `${STAND_IN}d`;

function needsStandIn(part: string): boolean {
  return part === "__proto__" || (part.startsWith("$") && !POSITIONAL.test(part));
}

function standIn(part: string): string {
  if (part === "__proto__") return PROTO_STAND_IN;
  return needsStandIn(part) ? `${DOLLAR_STAND_IN}${part.slice(1)}` : part;
}

function original(key: string): string {
  if (key === PROTO_STAND_IN) return "__proto__";
  return key.startsWith(DOLLAR_STAND_IN) ? `$${key.slice(DOLLAR_STAND_IN.length)}` : key;
}

const pathStandIn = (path: string) => path.split(".").map(standIn).join(".");

/** Whether an operator update names a field that needs a stand-in (in a path or as a `$rename` target). */
export function namesSpecialFields(modifier: Document): boolean {
  return Object.entries(modifier).some(([operator, fields]) =>
    Object.entries(fields as Document).some(
      ([path, value]) =>
        path.split(".").some(needsStandIn) ||
        (operator === "$rename" && typeof value === "string" && value.split(".").some(needsStandIn)),
    ),
  );
}

function renameKeys(value: unknown, rename: (key: string) => string): unknown {
  if (Array.isArray(value)) return value.map((element) => renameKeys(element, rename));
  if (!isPlainObject(value)) return value;
  const renamed: Document = {};
  for (const key of Object.keys(value)) setOwnField(renamed, rename(key), renameKeys(value[key], rename));
  return renamed;
}

export const withStandIns = (document: Document) => renameKeys(document, standIn) as Document;
export const withOriginalNames = (document: Document) => renameKeys(document, original) as Document;

/** The modifier with stand-ins in its paths and `$rename` targets; values are assigned as they are. */
export function modifierWithStandIns(modifier: Document): Document {
  const rewritten: Document = {};
  for (const [operator, fields] of Object.entries(modifier)) {
    const paths: Document = {};
    for (const [path, value] of Object.entries(fields as Document)) {
      const target = operator === "$rename" && typeof value === "string" ? pathStandIn(value) : value;
      setOwnField(paths, pathStandIn(path), target);
    }
    rewritten[operator] = paths;
  }
  return rewritten;
}
