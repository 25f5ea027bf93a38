import type { Document } from "bson";
import { CommandError } from "../errors.js";
import { Aggregator, isKnownStage } from "../storage/query-engine.js";
import { isPlainObject } from "../storage/values.js";
import { arrayField, type CommandContext, type CommandHandler, letVariables, stringField } from "./context.js";
import { checkHint } from "./hint.js";
import { isOutputStage, writeOutput } from "./output-stages.js";
import { cursorReply } from "./read.js";

function checkStages(pipeline: unknown[]): Document[] {
  if (!pipeline.every(isPlainObject)) throw new CommandError("TypeMismatch", "each pipeline stage must be an object");
  pipeline.forEach((stage, index) => {
    const [name, ...others] = Object.keys(stage);
    if (name === undefined || others.length > 0) {
      throw new CommandError("Location40323", "A pipeline stage specification object must contain exactly one field.");
    }
    if (!isKnownStage(name)) throw new CommandError("Location40324", `Unrecognized pipeline stage name: '${name}'`);
    if (isOutputStage(name) && index !== pipeline.length - 1) {
      throw new CommandError("Location40601", `${name} can only be the final stage in the pipeline`);
    }
  });
  return pipeline as Document[];
}

function resolveCollection(context: CommandContext) {
  return (name: string) => [...(context.catalog.get(context.database, name)?.all() ?? [])];
}

/**
 * `aggregate: <collection>`, or `aggregate: 1` for a pipeline that makes its own documents (`$documents`).
 * A last `$out` or `$merge` stage writes the results instead of returning them.
 */
export const aggregate: CommandHandler = (context, command) => {
  const onDatabase = command.aggregate === 1;
  const name = onDatabase ? undefined : stringField(command, "aggregate");
  const stages = checkStages(arrayField(command, "pipeline"));
  const variables = letVariables(command);
  if (onDatabase && !stages[0]?.$documents) {
    throw new CommandError(
      "InvalidNamespace",
      "{aggregate: 1} is not valid for this pipeline; a collection is required.",
    );
  }
  if (name !== undefined) checkHint(context, name, command.hint);
  const output = stages.length > 0 && isOutputStage(Object.keys(stages.at(-1) as Document)[0] as string);
  const computing = output ? stages.slice(0, -1) : stages;
  const collection = name === undefined ? undefined : context.catalog.get(context.database, name);
  // A leading $match runs through the collection's indexes instead of scanning.
  const [first, ...rest] = computing;
  const leadingMatch = first && isPlainObject(first.$match) ? first.$match : undefined;
  const source = collection ? (leadingMatch ? collection.find(leadingMatch, variables) : [...collection.all()]) : [];
  const remaining = leadingMatch ? rest : computing;
  const results =
    remaining.length > 0
      ? (new Aggregator(remaining, { collectionResolver: resolveCollection(context), variables }).run(
          source,
        ) as Document[])
      : source;
  const namespace = `${context.database}.${name ?? "$cmd.aggregate"}`;
  if (output) {
    writeOutput(context, stages.at(-1) as Document, results, variables);
    return cursorReply(context, namespace, [], command);
  }
  return cursorReply(context, namespace, results, command);
};
