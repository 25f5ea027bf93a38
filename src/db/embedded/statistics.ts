import { hostname } from "node:os";
import type { Document } from "bson";

const OPERATION_LISTS: Record<string, string> = { insert: "documents", update: "updates", delete: "deletes" };

/** What `serverStatus` reports: uptime, connections, operation counters and memory, as MongoDB names them. */
export class ServerStatistics {
  private readonly startedAt: number;
  private current = 0;
  private totalCreated = 0;
  private readonly opcounters = { insert: 0, query: 0, update: 0, delete: 0, getmore: 0, command: 0 };

  constructor(private readonly clock: () => number = Date.now) {
    this.startedAt = clock();
  }

  connectionOpened(): void {
    this.current += 1;
    this.totalCreated += 1;
  }

  connectionClosed(): void {
    this.current -= 1;
  }

  /** Counted as MongoDB counts: each inserted document and each update or delete statement, one per other command. */
  commandRun(name: string, command: Document): void {
    const list = OPERATION_LISTS[name];
    if (list) {
      const statements = command[list];
      this.opcounters[name as "insert" | "update" | "delete"] += Array.isArray(statements) ? statements.length : 0;
    } else if (name === "find") this.opcounters.query += 1;
    else if (name === "getmore") this.opcounters.getmore += 1;
    else this.opcounters.command += 1;
  }

  report(version: string): Document {
    const uptimeMillis = this.clock() - this.startedAt;
    const memory = process.memoryUsage();
    const mebibytes = (bytes: number) => Math.round(bytes / 1024 / 1024);
    return {
      host: hostname(),
      version,
      process: "mongod",
      pid: process.pid,
      uptime: Math.floor(uptimeMillis / 1000),
      uptimeMillis,
      uptimeEstimate: Math.floor(uptimeMillis / 1000),
      localTime: new Date(this.clock()),
      connections: { current: this.current, available: 1_000_000 - this.current, totalCreated: this.totalCreated },
      opcounters: { ...this.opcounters },
      mem: { bits: 64, resident: mebibytes(memory.rss), virtual: mebibytes(memory.rss), supported: true },
      storageEngine: { name: "in-memory", supportsCommittedReads: false, persistent: false },
    };
  }
}
