import { type Namespace, Server } from "socket.io";
import type { AccountService } from "../auth/accounts.js";
import type { TokenService } from "../auth/tokens.js";
import type { ChatService } from "../chat/chat-service.js";
import type { CollabLimits } from "../collab/limits.js";
import type { PeerLink } from "../collab/peer-messages.js";
import { DocumentRegistry } from "../collab/registry.js";
import type { DocumentStore } from "../collab/storage.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics/metrics.js";
import type { AccessPolicy } from "../projects/access.js";
import type { ProjectEvent, ProjectEvents } from "../projects/events.js";
import { ADMIN_NAMESPACE, NOTIFICATIONS_NAMESPACE, PROJECTS_NAMESPACE } from "../protocol/events.js";
import { base64Length } from "../protocol/wire-bytes.js";
import { AccessChanges } from "./access-changes.js";
import { setUpAdmin } from "./admin.js";
import { connectionLog, originCheck } from "./admission.js";
import { ChatChannel } from "./chat-channel.js";
import { CollabChannel, roomBroadcaster } from "./collab-channel.js";
import { Drain } from "./drain.js";
import { ExpirySchedule } from "./expiry-schedule.js";
import { authenticateHandshake, tokenRefreshListener } from "./handshake.js";
import { boundedParser, UnauthenticatedLimit } from "./inbound-limits.js";
import { setUpNotifications } from "./notifications.js";
import { type EngineConnection, OutboundBuffers } from "./outbound.js";
import { Presence, type PresenceExchange } from "./presence.js";
import { ProjectRooms } from "./project-rooms.js";
import type { Realtime, RealtimeOptions } from "./realtime.js";
import { emptyRoom, membershipChangeHandler, recheckAccess } from "./revocation.js";
import { projectIdOfRoom, userRoom } from "./rooms.js";
import type { AdminNamespace, NotificationsNamespace, ProjectsNamespace, SocketServer } from "./types.js";

/** How long a connection may take to join a namespace (Socket.IO's default is 45 s). */
const CONNECT_TIMEOUT_MS = 10_000;
/** What a connection may send before a namespace accepted it: a handshake with a token fits easily. */
const UNAUTHENTICATED_MAX_BYTES = 64 * 1024;

export function createRealtime(
  options: RealtimeOptions,
  deps: {
    tokens: TokenService;
    accounts: AccountService;
    policy: AccessPolicy;
    events: ProjectEvents;
    documentStore: DocumentStore;
    chat: ChatService;
    metrics?: Metrics;
    collabLimits: CollabLimits;
    logger: Logger;
    /** The other nodes of a cluster: documents and presence. */
    peers?: PeerLink;
    presenceExchange?: PresenceExchange;
    /** Whether this node can serve (database, Redis), for admins' node:list. */
    isReady(): Promise<boolean>;
    /** An administrator asked this node to drain (the service drains it, then stops). */
    drainRequested(): void;
  },
): Realtime {
  const io: SocketServer = new Server({
    cors: { origin: options.corsOrigins ?? false, credentials: false },
    // Room for the largest message as base64 text, plus the event name and project id around it.
    maxHttpBufferSize: base64Length(options.maxMessageBytes) + 1024,
    serveClient: false,
    // Recovery would skip the middlewares and let a removed member back in with its old rooms.
    connectionStateRecovery: undefined,
    connectTimeout: CONNECT_TIMEOUT_MS,
    parser: boundedParser,
    ...(options.adapter ? { adapter: options.adapter } : {}),
  });
  const logger = deps.logger.child({ component: "realtime" });
  const outbound = new OutboundBuffers(options.sendBufferMaxBytes, (bufferedBytes) =>
    logger.warn({ bufferedBytes }, "disconnecting a slow reader: too much waiting to be sent to it"),
  );
  const unauthenticated = new UnauthenticatedLimit(UNAUTHENTICATED_MAX_BYTES);
  const logConnection = connectionLog(logger);

  // Nothing is served on the main namespace; clients connect to /projects and /notifications.
  io.use((_socket, next) => next(new Error("unknown namespace")));
  const authenticate = authenticateHandshake({
    tokens: deps.tokens,
    accounts: deps.accounts,
    logger,
    node: options.node,
    outcome: deps.metrics && ((edge, result, reason) => deps.metrics?.auth.inc({ edge, result, reason })),
  });

  const projects = io.of(PROJECTS_NAMESPACE) as ProjectsNamespace;
  const checkOrigin = originCheck(options.corsOrigins);
  const refreshToken = tokenRefreshListener(deps.tokens, deps.accounts, logger);
  const expiries = new ExpirySchedule();
  const notifications = io.of(NOTIFICATIONS_NAMESPACE) as unknown as NotificationsNamespace;
  const admin = io.of(ADMIN_NAMESPACE) as unknown as AdminNamespace;
  const drain = new Drain([projects, notifications, admin] as unknown as Namespace[], logger);
  // Every namespace's handshake: refused while draining, then the origin, then the token.
  const gate = [drain.refuseWhileDraining, checkOrigin, authenticate];
  for (const middleware of gate) projects.use(middleware);
  const presence = new Presence(projects, deps.presenceExchange);
  const documents = new DocumentRegistry(
    deps.documentStore,
    roomBroadcaster(projects, (socket) => outbound.isBehind(socket.conn as unknown as EngineConnection), deps.metrics),
    deps.collabLimits,
    deps.logger.child({ component: "collab" }),
    deps.peers,
  );
  const collab = new CollabChannel(
    projects,
    documents,
    logger,
    (socket, callback) => outbound.whenDrained(socket.conn as unknown as EngineConnection, callback),
    options.ackTimeoutMs,
    deps.metrics,
  );
  const chat = new ChatChannel(projects, notifications, deps.chat, logger, deps.metrics);
  const accessChanges = new AccessChanges();
  const rooms = new ProjectRooms(
    deps.policy,
    accessChanges,
    presence,
    logger,
    async (userId) => (await deps.accounts.findById(userId)) !== undefined,
    options.maxSocketsPerProject,
    () => drain.active,
    [collab, chat],
  );
  projects.on("connection", (socket) => {
    logConnection(socket, PROJECTS_NAMESPACE);
    unauthenticated.accept(socket.conn);
    // Every socket of a user, across nodes: for disconnecting a deleted account.
    socket.join(userRoom(socket.data.userId));
    expiries.watch(socket);
    socket.on("auth:refresh", refreshToken as never);
    rooms.attach(socket);
    collab.attach(socket);
    chat.attach(socket);
  });

  for (const middleware of gate) notifications.use(middleware);
  notifications.on("connection", (socket) => {
    logConnection(socket, NOTIFICATIONS_NAMESPACE);
    unauthenticated.accept(socket.conn);
    socket.on("auth:refresh", refreshToken as never);
  });

  const disconnectUser = (userId: string) => {
    projects.in(userRoom(userId)).disconnectSockets(true);
    notifications.in(userRoom(userId)).disconnectSockets(true);
  };
  admin.on("connection", (socket) => {
    logConnection(socket as never, ADMIN_NAMESPACE);
    unauthenticated.accept(socket.conn);
  });
  setUpAdmin(admin, gate, {
    admin,
    expiries,
    projects,
    tokens: deps.tokens,
    accounts: deps.accounts,
    policy: deps.policy,
    documents,
    adminEmails: options.adminEmails,
    node: options.node,
    clustered: options.adapter !== undefined,
    logger,
    drain: deps.drainRequested,
    disconnectUser,
    report: {
      self: async () => ({
        node: options.node,
        sockets: {
          projects: projects.sockets.size,
          notifications: notifications.sockets.size,
          admin: admin.sockets.size,
        },
        documents: documents.loadedIds().length,
        ready: !drain.active && (await deps.isReady()),
        draining: drain.active,
      }),
      document: (projectId) =>
        documents.isLoaded(projectId)
          ? {
              node: options.node,
              bytes: documents.loadedBytes(projectId),
              connections: documents.connectionCount(projectId),
            }
          : undefined,
    },
  });

  const removeDocument = (projectId: string) => {
    documents.remove(projectId).catch((error: unknown) => {
      logger.error({ err: error, projectId }, "removing a deleted project's document failed");
    });
  };
  const applyMembership = membershipChangeHandler(projects, accessChanges);
  const notify = setUpNotifications(notifications, expiries);
  /** What a project change means for this node: its sockets, its notifications, its copy of the document. */
  const onProjectEvent = (event: ProjectEvent) => {
    applyMembership(event);
    notify(event);
    if (event.type === "project-deleted") removeDocument(event.projectId);
  };
  const unsubscribers = [
    deps.events.subscribe((event) => {
      onProjectEvent(event);
      // Every other node applies it to its own sockets and drops its copy of a deleted project's document.
      if (options.adapter) projects.serverSideEmit("project:event", event);
    }),
  ];
  projects.on("project:event", (event: ProjectEvent) => {
    try {
      onProjectEvent(event);
    } catch (error) {
      logger.error({ err: error, event: event?.type }, "applying another node's project change failed");
    }
  });
  return {
    presence,
    documents,
    attach(httpServer) {
      io.attach(httpServer);
      io.engine.on("connection", (connection: EngineConnection & Parameters<UnauthenticatedLimit["track"]>[0]) => {
        outbound.track(connection);
        unauthenticated.track(connection);
      });
    },
    recheckAccess: () => recheckAccess(projects, deps.policy, logger, accessChanges),
    counts() {
      let projectRooms = 0;
      for (const room of projects.adapter.rooms.keys()) if (projectIdOfRoom(room)) projectRooms++;
      return {
        sockets: { [PROJECTS_NAMESPACE]: projects.sockets.size, [NOTIFICATIONS_NAMESPACE]: notifications.sockets.size },
        projectRooms,
      };
    },
    disconnectUser,
    drain: (withinMs) => drain.start(withinMs),
    get draining() {
      return drain.active;
    },
    async evictVanishedProjects() {
      const loaded = documents.loadedIds();
      if (loaded.length === 0) return;
      const existing = await deps.policy.existing(loaded);
      for (const projectId of loaded.filter((id) => !existing.has(id))) {
        logger.error(
          { projectId },
          "the database no longer has the project of a loaded document (was it restored empty?); evicting its room",
        );
        emptyRoom(projects, projectId);
        await documents.remove(projectId);
      }
    },
    async close() {
      for (const unsubscribe of unsubscribers) unsubscribe();
      presence.stop();
      expiries.stop();
      io.disconnectSockets(true);
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await documents.close();
    },
  };
}
