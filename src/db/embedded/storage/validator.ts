import type { Document } from "bson";
import { CommandError } from "../errors.js";
import { Query } from "./query-engine.js";
import { jsonSchemaRefused } from "./query-operators.js";
import { isPlainObject } from "./values.js";

function mentionsJsonSchema(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(mentionsJsonSchema);
  if (!isPlainObject(value)) return false;
  return Object.entries(value).some(([key, inner]) => key === "$jsonSchema" || mentionsJsonSchema(inner));
}

/**
 * A collection's `validator`, a query every stored document must match: checked on insert and update unless the
 * command bypasses it. `validationLevel: moderate` leaves documents that already failed it alone;
 * `validationAction: warn` only logs on MongoDB, so here it checks nothing.
 */
export class Validator {
  private constructor(
    private readonly query: Query,
    private readonly moderate: boolean,
  ) {}

  /** The validator a collection's options describe, or undefined; `$jsonSchema` is refused rather than ignored. */
  static fromOptions(options: Document): Validator | undefined {
    const { validator, validationLevel, validationAction } = options;
    if (validator === undefined || validationLevel === "off" || validationAction === "warn") return undefined;
    if (!isPlainObject(validator)) throw new CommandError("TypeMismatch", "validator must be a document");
    if (mentionsJsonSchema(validator)) throw jsonSchemaRefused();
    return new Validator(new Query(validator), validationLevel === "moderate");
  }

  check(document: Document, previous?: Document): void {
    if (this.query.test(document)) return;
    if (previous && this.moderate && !this.query.test(previous)) return;
    throw new CommandError("DocumentValidationFailure", "Document failed validation", {
      errInfo: { failingDocumentId: document._id },
    });
  }
}
