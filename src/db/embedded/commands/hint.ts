import type { Document } from "bson";
import { CommandError } from "../errors.js";
import { isPlainObject, valueKey } from "../storage/values.js";
import type { CommandContext } from "./context.js";

/**
 * A `hint` must name an index the collection has (by name or by key pattern), or `$natural`; MongoDB refuses any
 * other rather than ignoring it. A collection that does not exist has nothing to plan, so nothing is refused.
 */
export function checkHint(context: CommandContext, name: string, hint: unknown): void {
  if (hint === undefined) return;
  const collection = context.catalog.get(context.database, name);
  if (!collection) return;
  const specs = collection.indexSpecs();
  const known =
    typeof hint === "string"
      ? specs.some((spec) => spec.name === hint)
      : isPlainObject(hint) &&
        ("$natural" in hint || specs.some((spec) => valueKey(spec.key) === valueKey(hint as Document)));
  if (!known) {
    throw new CommandError(
      "BadValue",
      "error processing query: planner returned error :: caused by :: hint provided does not correspond to an existing index",
    );
  }
}
