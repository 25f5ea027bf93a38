import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { DocumentStore } from "../collab/storage.js";

/** What the gauges read at scrape time: nothing is counted on the hot path for them. */
export interface MetricsSources {
  socketsByNamespace(): Record<string, number>;
  openProjectRooms(): number;
  loadedDocuments(): { count: number; bytes: number; budgetBytes: number; evictions: number };
  draining(): boolean;
}

const LATENCY_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const BATCH_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500];

/**
 * The service's Prometheus metrics, on a registry of its own (never
 * prom-client's global one: tests run many services in one process). Labels
 * take values from short fixed lists only: never a project, user or socket
 * id. Counters are plain increments on the hot path; gauges are read at
 * scrape time.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly updatesReceived = new Counter({
    name: "collab_yjs_messages_received_total",
    help: "Yjs sync messages received from clients, by type",
    labelNames: ["type"] as const,
    registers: [this.registry],
  });
  readonly updatesRefused = new Counter({
    name: "collab_yjs_messages_refused_total",
    help: "Yjs sync and awareness messages refused, by error code",
    labelNames: ["code"] as const,
    registers: [this.registry],
  });
  readonly relays = new Counter({
    name: "collab_yjs_relays_total",
    help: "Document changes relayed to a room (one per relay, merged changes counted once)",
    registers: [this.registry],
  });
  readonly relayFanOut = new Counter({
    name: "collab_yjs_relay_messages_sent_total",
    help: "Messages sent to sockets by relays: each relay counts its recipients on this node",
    registers: [this.registry],
  });
  readonly durableAck = new Histogram({
    name: "collab_yjs_durable_ack_seconds",
    help: "From a change's receipt to its ack, once stored",
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly logInsert = new Histogram({
    name: "collab_update_log_insert_seconds",
    help: "One insert into the update log (a group commit of every document's updates)",
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly logBatch = new Histogram({
    name: "collab_update_log_insert_batch_size",
    help: "Updates per insert into the update log",
    buckets: BATCH_BUCKETS,
    registers: [this.registry],
  });
  readonly storeOperations = new Counter({
    name: "collab_store_operations_total",
    help: "Document store operations (load, append, compact, remove) by result; a failed append is retried",
    labelNames: ["operation", "result"] as const,
    registers: [this.registry],
  });
  readonly auth = new Counter({
    name: "collab_auth_total",
    help: "Authentications over HTTP (login, register, bearer token) and at socket handshakes, by result and reason",
    labelNames: ["edge", "result", "reason"] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: "collab_http_request_duration_seconds",
    help: "HTTP requests by method, route pattern and status",
    labelNames: ["method", "route", "status"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly chatMessages = new Counter({
    name: "collab_chat_messages_total",
    help: "Chat messages stored",
    registers: [this.registry],
  });

  constructor(sources: MetricsSources, options: { defaultMetrics: boolean }) {
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: "collab_sockets",
      help: "Connected sockets on this node, by namespace",
      labelNames: ["namespace"] as const,
      registers: [this.registry],
      collect() {
        for (const [namespace, count] of Object.entries(sources.socketsByNamespace())) this.set({ namespace }, count);
      },
    });
    const registry = this.registry;
    const readAtScrape = (name: string, help: string, read: () => number) =>
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          this.set(read());
        },
      });
    readAtScrape("collab_project_rooms", "Project rooms with at least one socket on this node", () =>
      sources.openProjectRooms(),
    );
    readAtScrape("collab_documents_loaded", "Documents loaded on this node", () => sources.loadedDocuments().count);
    readAtScrape(
      "collab_documents_loaded_bytes",
      "Encoded size of the loaded documents together (an upper bound between measurements)",
      () => sources.loadedDocuments().bytes,
    );
    readAtScrape(
      "collab_documents_memory_budget_bytes",
      "DOC_MEMORY_BUDGET_MB: past it, documents nobody has open are unloaded, least recently used first",
      () => sources.loadedDocuments().budgetBytes,
    );
    readAtScrape("collab_draining", "1 while this node drains (SIGTERM or node:drain)", () =>
      sources.draining() ? 1 : 0,
    );
    new Counter({
      name: "collab_documents_evicted_total",
      help: "Documents unloaded early to keep within the memory budget",
      registers: [registry],
      collect() {
        // The registry counts evictions itself (collab/ knows no metrics): the counter shows its total.
        this.reset();
        this.inc(sources.loadedDocuments().evictions);
      },
    });
  }

  /** The store, counting each operation's outcome (what a retry loop makes of a failure is the caller's). */
  instrumentStore(store: DocumentStore): DocumentStore {
    const count = <T>(operation: string, result: Promise<T>): Promise<T> =>
      result.then(
        (value) => {
          this.storeOperations.inc({ operation, result: "ok" });
          return value;
        },
        (error: unknown) => {
          this.storeOperations.inc({ operation, result: "error" });
          throw error;
        },
      );
    return {
      load: (documentId) => count("load", store.load(documentId)),
      append: (documentId, updates) => count("append", store.append(documentId, updates)),
      compact: (documentId, merge) => count("compact", store.compact(documentId, merge)),
      remove: (documentId) => count("remove", store.remove(documentId)),
      logLength: (documentId) => store.logLength(documentId),
    };
  }
}
