import type { Document } from "bson";
import { CommandError } from "../errors.js";
import { Query } from "./query-engine.js";
import { valueKey, valuesAtPath } from "./values.js";

/** What `createIndexes` and `listIndexes` speak: key pattern, name and options. */
export interface IndexSpec {
  key: Document;
  name: string;
  unique?: boolean;
  sparse?: boolean;
  partialFilterExpression?: Document;
  [option: string]: unknown;
}

/** Options that make two specs over the same key pattern different indexes. */
const IDENTITY_OPTIONS = ["unique", "sparse", "partialFilterExpression", "expireAfterSeconds", "collation"];

export function sameIndexOptions(a: IndexSpec, b: IndexSpec): boolean {
  return IDENTITY_OPTIONS.every((option) => valueKey(a[option] ?? null) === valueKey(b[option] ?? null));
}

export function defaultIndexName(key: Document): string {
  return Object.entries(key)
    .map(([field, direction]) => `${field}_${direction}`)
    .join("_");
}

/** Only ascending/descending keys are hash-indexed; text, 2dsphere and hashed specs are stored, not maintained. */
function isHashable(spec: IndexSpec): boolean {
  return Object.values(spec.key).every((direction) => direction === 1 || direction === -1);
}

interface IndexEntry {
  key: string;
  values: Document;
}

/**
 * A hash index over the equality of the key pattern's fields. Unique indexes
 * reject a second document with the same key; every index answers equality
 * look-ups without a scan. Range queries and sorts still scan: this is a
 * development database, and equality is what the service asks for.
 */
export class HashIndex {
  readonly spec: IndexSpec;
  readonly fields: string[];
  private readonly maintained: boolean;
  private readonly partialFilter: Query | undefined;
  private readonly entries = new Map<string, Set<string>>();

  constructor(spec: IndexSpec) {
    this.spec = spec;
    this.fields = Object.keys(spec.key);
    this.maintained = isHashable(spec);
    this.partialFilter = spec.partialFilterExpression ? new Query(spec.partialFilterExpression) : undefined;
  }

  /** Usable to answer any equality query on its fields: it holds every document. */
  get coversAllDocuments(): boolean {
    return this.maintained && !this.spec.sparse && !this.partialFilter;
  }

  private entriesFor(document: Document): IndexEntry[] {
    if (!this.maintained) return [];
    if (this.partialFilter && !this.partialFilter.test(document)) return [];
    const perField = this.fields.map((field) => valuesAtPath(document, field));
    if (this.spec.sparse && perField.every((values) => values.length === 0)) return [];
    let combinations: unknown[][] = [[]];
    for (const values of perField) {
      const choices = values.length === 0 ? [null] : values;
      combinations = combinations.flatMap((prefix) => choices.map((choice) => [...prefix, choice]));
    }
    const unique = new Map<string, IndexEntry>();
    for (const combination of combinations) {
      const key = combination.map(valueKey).join("|");
      const values: Document = {};
      this.fields.forEach((field, i) => {
        values[field] = combination[i] ?? null;
      });
      unique.set(key, { key, values });
    }
    return [...unique.values()];
  }

  /** Throws the DuplicateKey error that `document` would cause, ignoring the document it replaces. */
  checkUnique(namespace: string, document: Document, replacingId?: string): void {
    if (!this.spec.unique) return;
    for (const entry of this.entriesFor(document)) {
      const holders = this.entries.get(entry.key);
      if (!holders) continue;
      for (const holder of holders) {
        if (holder !== replacingId) throw duplicateKeyError(namespace, this.spec, entry.values);
      }
    }
  }

  add(document: Document, id: string): void {
    for (const { key } of this.entriesFor(document)) {
      let holders = this.entries.get(key);
      if (!holders) {
        holders = new Set();
        this.entries.set(key, holders);
      }
      holders.add(id);
    }
  }

  remove(document: Document, id: string): void {
    for (const { key } of this.entriesFor(document)) {
      const holders = this.entries.get(key);
      holders?.delete(id);
      if (holders?.size === 0) this.entries.delete(key);
    }
  }

  /** The ids of documents whose indexed fields equal `values`, in field order. */
  lookup(values: unknown[]): Set<string> {
    return this.entries.get(values.map(valueKey).join("|")) ?? new Set();
  }
}

function formatKeyValue(values: Document): string {
  const parts = Object.entries(values).map(([field, value]) => `${field}: ${JSON.stringify(value ?? null)}`);
  return `{ ${parts.join(", ")} }`;
}

export function duplicateKeyError(namespace: string, spec: IndexSpec, values: Document): CommandError {
  return new CommandError(
    "DuplicateKey",
    `E11000 duplicate key error collection: ${namespace} index: ${spec.name} dup key: ${formatKeyValue(values)}`,
    { keyPattern: spec.key, keyValue: values },
  );
}
