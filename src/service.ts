import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createAccountService } from "./auth/accounts.js";
import type { AuthOutcome } from "./auth/auth-outcomes.js";
import { createRequireUser } from "./auth/passport.js";
import { createTokenService } from "./auth/tokens.js";
import { defineUserModel } from "./auth/user-model.js";
import { defineChatMessageModel } from "./chat/chat-model.js";
import { ChatService } from "./chat/chat-service.js";
import { joinCluster } from "./cluster/cluster.js";
import type { DocumentRegistry } from "./collab/registry.js";
import type { Config } from "./config/config.js";
import { connectDatabase, type Database } from "./db/connection.js";
import { createMongoDocumentStore } from "./db/document-store.js";
import { createHttpApp } from "./http/app.js";
import { createAccountRouter } from "./http/routes/account.js";
import { createAuthRouter } from "./http/routes/auth.js";
import { createChatRouter } from "./http/routes/chat.js";
import { createDocumentRouter } from "./http/routes/document.js";
import { createHealthRouter } from "./http/routes/health.js";
import { createMetricsRouter, createMetricsServer } from "./http/routes/metrics.js";
import { createPresenceRouter } from "./http/routes/presence.js";
import { createProjectsRouter } from "./http/routes/projects.js";
import { createWebRouter } from "./http/routes/web.js";
import { UnusedConnections } from "./http/unused-connections.js";
import type { Logger } from "./logger.js";
import { Metrics } from "./metrics/metrics.js";
import { createAccessPolicy } from "./projects/access.js";
import { ProjectEvents } from "./projects/events.js";
import { defineProjectModel } from "./projects/project-model.js";
import { ProjectService } from "./projects/project-service.js";
import type { Realtime } from "./realtime/realtime.js";
import { createRealtime } from "./realtime/socket-server.js";

/** Loaded documents' projects are checked for existence every this many database timeouts (30 s by default). */
const VANISHED_CHECK_PER_TIMEOUT = 6;

export interface Service {
  readonly config: Config;
  readonly httpServer: HttpServer;
  readonly database: Database;
  /** Project and membership changes, for in-process listeners. */
  readonly events: ProjectEvents;
  /** The Yjs documents loaded on this node. */
  readonly documents: DocumentRegistry;
  /** Starts listening; resolves with the base URL (the real port when config says 0). */
  listen(): Promise<string>;
  /** GET /metrics's own server (METRICS_PORT), listening once `listen` resolved; undefined when not configured. */
  readonly metricsServer: HttpServer | undefined;
  /**
   * Takes the node out of rotation: `/readyz` answers 503 at once, new
   * connections and opens are refused with DRAINING, and the sockets here
   * are handed off over DRAIN_SECONDS. Resolves when none is left; `close()`
   * then stores every loaded document.
   */
  drain(): Promise<void>;
  /** Resolves once a drain has finished, whoever started it (SIGTERM, an administrator's node:drain). */
  readonly drained: Promise<void>;
  /** Stops accepting, closes sockets and the database. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * The composition root: everything the service is made of is built here from
 * `config`, and nothing lives at module level, so tests run many isolated
 * services in one process.
 */
export async function createService(config: Config, logger: Logger): Promise<Service> {
  const database = await connectDatabase(config.mongodbUri, logger, config.databaseTimeoutMs);
  const users = defineUserModel(database.connection);
  const projectModel = defineProjectModel(database.connection);
  // What the gauges read is only there once realtime is: they are read at scrape time, never before listen().
  let realtime: Realtime | undefined;
  const metricsExposed = config.metrics.token !== undefined || config.metrics.port !== undefined;
  const metrics = new Metrics(
    {
      socketsByNamespace: () => realtime?.counts().sockets ?? {},
      openProjectRooms: () => realtime?.counts().projectRooms ?? 0,
      loadedDocuments: () => ({
        count: realtime?.documents.loadedIds().length ?? 0,
        bytes: realtime?.documents.loadedBytes() ?? 0,
        budgetBytes: config.collab.memoryBudgetBytes,
        evictions: realtime?.documents.evictions ?? 0,
      }),
      draining: () => realtime?.draining ?? false,
    },
    { defaultMetrics: metricsExposed },
  );
  const documentStore = createMongoDocumentStore(database.connection, config.store, (seconds, records) => {
    metrics.logInsert.observe(seconds);
    metrics.logBatch.observe(records);
  });
  const chatMessages = defineChatMessageModel(database.connection);
  await Promise.all([users.init(), projectModel.init(), documentStore.init(), chatMessages.init()]);

  const tokens = createTokenService(config.jwt.secret, config.jwt.expiresInSeconds, config.jwt.maxAgeSeconds);
  const accounts = createAccountService(users);
  const authOutcome: AuthOutcome = (edge, result, reason) => metrics.auth.inc({ edge, result, reason });
  const requireUser = createRequireUser(tokens, accounts, authOutcome);
  const events = new ProjectEvents((error, event) =>
    logger.error({ err: error, event: event.type, projectId: event.projectId }, "project event listener failed"),
  );
  const policy = createAccessPolicy(projectModel);
  const projects = new ProjectService(projectModel, policy, accounts, events);
  const chat = new ChatService(chatMessages, policy, async (userId, projectId) => {
    return (await projects.get(userId, projectId)).members;
  });
  // A deleted project's messages go with it (members who leave keep theirs, as written).
  events.subscribe((event) => {
    if (event.type !== "project-deleted") return;
    chat.removeProject(event.projectId).catch((error: unknown) => {
      logger.error({ err: error, projectId: event.projectId }, "deleting a deleted project's chat failed");
    });
  });

  const cluster = config.redisUrl ? await joinCluster(config.redisUrl, config.nodeId, logger) : undefined;
  let finishDrain!: () => void;
  const drained = new Promise<void>((resolve) => {
    finishDrain = resolve;
  });
  let draining: Promise<void> | undefined;
  const drain = () => {
    draining ??= (realtime as Realtime).drain(config.drainMs).then(finishDrain);
    return draining;
  };
  realtime = createRealtime(
    {
      corsOrigins: config.http.corsOrigins,
      ...config.realtime,
      ackTimeoutMs: config.databaseTimeoutMs,
      adapter: cluster?.adapter,
      node: config.nodeId,
      adminEmails: config.adminEmails,
    },
    {
      tokens,
      accounts,
      policy,
      events,
      documentStore: cluster
        ? cluster.sharedStore(metrics.instrumentStore(documentStore))
        : metrics.instrumentStore(documentStore),
      chat,
      metrics,
      collabLimits: config.collab,
      logger,
      peers: cluster?.peers,
      presenceExchange: cluster?.presence,
      isReady: async () => (await database.isReachable()) && (cluster?.redis.isReady ?? true),
      drainRequested: () => void drain(),
    },
  );
  const rateLimitStores = cluster?.rateLimitStores;
  const web = createWebRouter(config.webRoot);
  if (!web) logger.warn({ webRoot: config.webRoot }, "the web app is not built (npm run build): / serves nothing");
  const app = createHttpApp({
    logger,
    trustProxy: config.http.trustProxy,
    jsonBodyLimitBytes: config.http.jsonBodyLimitBytes,
    corsOrigins: config.http.corsOrigins,
    routers: [
      createHealthRouter(database, {
        id: config.nodeId,
        cluster: cluster?.redis,
        draining: () => realtime.draining,
      }),
      createAuthRouter({
        accounts,
        tokens,
        requireUser,
        rateLimitPerMinute: config.auth.rateLimitPerMinute,
        rateLimitStores,
        outcome: authOutcome,
      }),
      createAccountRouter({
        accounts,
        memberships: projects,
        requireUser,
        rateLimitPerMinute: config.auth.rateLimitPerMinute,
        rateLimitStores,
        disconnectUser: (userId) => realtime.disconnectUser(userId),
      }),
      createProjectsRouter({ projects, requireUser }),
      createPresenceRouter({ policy, requireUser, presence: realtime.presence }),
      createChatRouter({ chat, requireUser }),
      createDocumentRouter({
        policy,
        requireUser,
        encodeState: (projectId) => realtime.documents.encodeState(projectId),
        rateLimitStores,
      }),
      ...(config.metrics.token ? [createMetricsRouter(metrics.registry, config.metrics.token)] : []),
      ...(web ? [web] : []),
    ],
    observeRequest: (method, route, status, seconds) =>
      metrics.httpDuration.observe({ method, route, status: String(status) }, seconds),
  });
  const httpServer = createServer(app);
  const unusedConnections = new UnusedConnections(httpServer);
  const metricsServer = config.metrics.port === undefined ? undefined : createMetricsServer(metrics.registry);
  realtime.attach(httpServer);
  // A database that came back empty (restored, or an in-memory one restarted) must not go on receiving
  // documents of projects it no longer has: checked when the connection comes back, and now and then,
  // since a server restarted between two heartbeats may never look disconnected.
  const checkVanished = () => {
    realtime.evictVanishedProjects().catch((error: unknown) => {
      logger.warn({ err: error }, "checking that loaded documents' projects still exist failed");
    });
  };
  database.onReconnect(checkVanished);
  // Project changes made through other nodes while this one was cut off from Redis may have passed it by.
  cluster?.redis.onReconnect(() => {
    realtime.recheckAccess().catch((error: unknown) => logger.warn({ err: error }, "re-checking access failed"));
  });
  const vanishedCheck = setInterval(checkVanished, VANISHED_CHECK_PER_TIMEOUT * config.databaseTimeoutMs);
  vanishedCheck.unref();

  let closing: Promise<void> | undefined;
  return {
    config,
    httpServer,
    database,
    events,
    documents: realtime.documents,
    metricsServer,
    drain,
    drained,
    async listen() {
      if (metricsServer) {
        await new Promise<void>((resolve, reject) => {
          metricsServer.once("error", reject);
          metricsServer.listen(config.metrics.port, config.metrics.host, () => resolve());
        });
      }
      await new Promise<void>((resolve, reject) => {
        httpServer.once("error", reject);
        httpServer.listen(config.http.port, config.http.host, () => {
          httpServer.off("error", reject);
          resolve();
        });
      });
      const { port } = httpServer.address() as AddressInfo;
      const host = config.http.host.includes(":") ? `[${config.http.host}]` : config.http.host;
      return `http://${host}:${port}`;
    },
    close() {
      closing ??= (async () => {
        // Socket.IO disconnects every socket and closes the HTTP server; idle keep-alive connections go too, and
        // connections that never sent a request (a browser's preconnect), which would hold the server open.
        // Sockets go first, then every loaded document is stored, then the database connection.
        clearInterval(vanishedCheck);
        const realtimeClosed = realtime.close();
        httpServer.closeIdleConnections();
        unusedConnections.destroy();
        await realtimeClosed;
        await cluster?.redis.close();
        if (metricsServer?.listening) await new Promise((resolve) => metricsServer.close(resolve));
        await database.close();
      })();
      return closing;
    },
  };
}
