import type { Document } from "bson";
import { CommandError } from "../errors.js";
import { adminCommands } from "./admin.js";
import { aggregate } from "./aggregate.js";
import type { CommandContext, CommandHandler } from "./context.js";
import { ddlCommands } from "./ddl.js";
import { readCommands } from "./read.js";
import { writeCommands } from "./write.js";

/** Commands the embedded database refuses outright rather than half-doing them (the README lists them). */
const refused =
  (name: string): CommandHandler =>
  () => {
    throw new CommandError("CommandNotSupported", `${name} is not supported by the embedded database`);
  };

/** Keyed by lower-case name: the server accepts `isMaster`/`ismaster`, `findAndModify`/`findandmodify`. */
const handlers = new Map<string, CommandHandler>(
  Object.entries({
    ...adminCommands,
    ...ddlCommands,
    ...readCommands,
    ...writeCommands,
    aggregate,
    explain: refused("explain"),
    collmod: refused("collMod"),
  }),
);

/** Runs one command and always returns a reply document; nothing a client sends escapes as an exception. */
export function runCommand(context: CommandContext, command: Document): Document {
  const [name] = Object.keys(command);
  const handler = name === undefined ? undefined : handlers.get(name.toLowerCase());
  try {
    if (!handler) throw new CommandError("CommandNotFound", `no such command: '${name ?? ""}'`);
    if (command.txnNumber !== undefined) {
      throw new CommandError(
        "IllegalOperation",
        "Transaction numbers are only allowed on a replica set member or mongos",
      );
    }
    context.statistics.commandRun(name?.toLowerCase() ?? "", command);
    return { ...handler(context, command), ok: 1 };
  } catch (error) {
    if (error instanceof CommandError) return error.toReply();
    // mingo reports bad operators and expressions with plain exceptions.
    return new CommandError("BadValue", (error as Error).message ?? "bad command").toReply();
  }
}
