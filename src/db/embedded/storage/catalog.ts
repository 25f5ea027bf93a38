import type { Document } from "bson";
import { CommandError } from "../errors.js";
import { Collection } from "./collection.js";

const INVALID_COLLECTION_NAME = /^$|\$|\0|^system\./;

/** Every database and collection the server holds, created implicitly on first write as MongoDB does. */
export class Catalog {
  private readonly databases = new Map<string, Map<string, Collection>>();

  databaseNames(): string[] {
    return [...this.databases.keys()];
  }

  collections(database: string): Map<string, Collection> {
    return this.databases.get(database) ?? new Map();
  }

  get(database: string, name: string): Collection | undefined {
    return this.databases.get(database)?.get(name);
  }

  /** For writes: the collection, created when missing. */
  ensure(database: string, name: string): Collection {
    const existing = this.get(database, name);
    if (existing) return existing;
    return this.create(database, name);
  }

  create(database: string, name: unknown, options: Document = {}): Collection {
    if (typeof name !== "string" || INVALID_COLLECTION_NAME.test(name)) {
      throw new CommandError("InvalidNamespace", `Invalid collection name: ${String(name)}`);
    }
    let collections = this.databases.get(database);
    if (!collections) {
      collections = new Map();
      this.databases.set(database, collections);
    }
    if (collections.has(name)) {
      throw new CommandError("NamespaceExists", `Collection ${database}.${name} already exists.`);
    }
    const collection = new Collection(`${database}.${name}`, options);
    collections.set(name, collection);
    return collection;
  }

  /** Puts `collection` in place of the one named `name` (what `$out` does once its results are all stored). */
  replace(database: string, name: string, collection: Collection): void {
    if (!this.get(database, name)) this.create(database, name);
    this.databases.get(database)?.set(name, collection);
  }

  drop(database: string, name: string): boolean {
    const collections = this.databases.get(database);
    const dropped = collections?.delete(name) ?? false;
    if (collections?.size === 0) this.databases.delete(database);
    return dropped;
  }

  dropDatabase(database: string): void {
    this.databases.delete(database);
  }
}
