import type { Document } from "bson";
import { CommandError } from "../errors.js";
import { defaultIndexName, type IndexSpec, sameIndexOptions } from "../storage/indexes.js";
import { Query } from "../storage/query-engine.js";
import { isPlainObject, valueKey } from "../storage/values.js";
import { arrayField, type CommandHandler, collectionName, documentField } from "./context.js";
import { cursorReply } from "./read.js";

const create: CommandHandler = (context, command) => {
  const { create: _name, $db, lsid, writeConcern, ...options } = command;
  context.catalog.create(context.database, collectionName(command), options);
  return {};
};

const drop: CommandHandler = (context, command) => {
  const name = collectionName(command);
  const collection = context.catalog.get(context.database, name);
  // MongoDB 7.0 and later answer ok for a collection that does not exist.
  const nIndexesWas = collection ? collection.indexSpecs().length : 0;
  context.catalog.drop(context.database, name);
  return { nIndexesWas, ns: `${context.database}.${name}` };
};

const dropDatabase: CommandHandler = (context) => {
  context.catalog.dropDatabase(context.database);
  return { dropped: context.database };
};

const listCollections: CommandHandler = (context, command) => {
  const filter = new Query(documentField(command, "filter"));
  const entries: Document[] = [];
  for (const [name, collection] of context.catalog.collections(context.database)) {
    const entry: Document = command.nameOnly
      ? { name, type: "collection" }
      : {
          name,
          type: "collection",
          options: collection.options,
          info: { readOnly: false },
          idIndex: { v: 2, key: { _id: 1 }, name: "_id_" },
        };
    if (filter.test(entry)) entries.push(entry);
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : 1));
  return cursorReply(context, `${context.database}.$cmd.listCollections`, entries, command);
};

function parseIndexSpec(raw: unknown): IndexSpec {
  if (!isPlainObject(raw) || !isPlainObject(raw.key) || Object.keys(raw.key).length === 0) {
    throw new CommandError("BadValue", "index specification must have a non-empty 'key' document");
  }
  const { v, background, ...spec } = raw;
  const name = typeof spec.name === "string" ? spec.name : defaultIndexName(raw.key);
  return { ...spec, key: raw.key, name };
}

const createIndexes: CommandHandler = (context, command) => {
  const name = collectionName(command);
  const specs = arrayField(command, "indexes").map(parseIndexSpec);
  const existed = context.catalog.get(context.database, name) !== undefined;
  const collection = context.catalog.ensure(context.database, name);
  const numIndexesBefore = collection.indexSpecs().length;
  for (const spec of specs) {
    const existing = collection.indexSpecs();
    const sameName = existing.find((index) => index.name === spec.name);
    if (sameName) {
      if (valueKey(sameName.key) !== valueKey(spec.key)) {
        throw new CommandError(
          "IndexKeySpecsConflict",
          `An existing index has the same name as the requested index but a different key: ${spec.name}`,
        );
      }
      if (!sameIndexOptions(sameName, spec)) {
        throw new CommandError(
          "IndexOptionsConflict",
          `An existing index has the same name but different options: ${spec.name}`,
        );
      }
      continue;
    }
    const sameKey = existing.find(
      (index) => valueKey(index.key) === valueKey(spec.key) && sameIndexOptions(index, spec),
    );
    if (sameKey) {
      throw new CommandError("IndexOptionsConflict", `Index already exists with a different name: ${sameKey.name}`);
    }
    collection.createIndex(spec);
  }
  return {
    createdCollectionAutomatically: !existed,
    numIndexesBefore,
    numIndexesAfter: collection.indexSpecs().length,
  };
};

const listIndexes: CommandHandler = (context, command) => {
  const name = collectionName(command);
  const collection = context.catalog.get(context.database, name);
  if (!collection) throw new CommandError("NamespaceNotFound", `ns does not exist: ${context.database}.${name}`);
  const specs = collection.indexSpecs().map((spec) => ({ v: 2, ...spec }));
  return cursorReply(context, `${context.database}.${name}`, specs, command);
};

const dropIndexes: CommandHandler = (context, command) => {
  const name = collectionName(command);
  const collection = context.catalog.get(context.database, name);
  if (!collection) throw new CommandError("NamespaceNotFound", `ns not found ${context.database}.${name}`);
  const nIndexesWas = collection.indexSpecs().length;
  const target = command.index;
  const specs = collection.indexSpecs();
  let names: string[];
  if (target === "*") {
    names = specs.map((spec) => spec.name).filter((indexName) => indexName !== "_id_");
  } else if (typeof target === "string") {
    names = [target];
  } else if (Array.isArray(target)) {
    names = target.map(String);
  } else if (isPlainObject(target)) {
    const match = specs.find((spec) => valueKey(spec.key) === valueKey(target));
    if (!match) throw new CommandError("IndexNotFound", `can't find index with key: ${JSON.stringify(target)}`);
    names = [match.name];
  } else {
    throw new CommandError("BadValue", "'index' must be a string, an array of strings or a key pattern");
  }
  if (names.includes("_id_")) throw new CommandError("BadValue", "cannot drop _id index");
  for (const indexName of names) {
    if (!collection.findIndex(indexName))
      throw new CommandError("IndexNotFound", `index not found with name [${indexName}]`);
  }
  for (const indexName of names) collection.dropIndex(indexName);
  return { nIndexesWas };
};

export const ddlCommands: Record<string, CommandHandler> = {
  create,
  drop,
  dropdatabase: dropDatabase,
  listcollections: listCollections,
  createindexes: createIndexes,
  listindexes: listIndexes,
  dropindexes: dropIndexes,
};
