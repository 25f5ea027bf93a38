import {
  InvalidPeerMessageError,
  type PeerLink,
  type PeerMessage,
  readPeerMessage,
  senderPrefix,
  writePeerMessage,
} from "../collab/peer-messages.js";
import type { Logger } from "../logger.js";
import type { PresenceExchange, PresentUser } from "../realtime/presence.js";
import type { RedisConnections } from "./redis.js";

/** One pub/sub channel per document: a node hears only about the documents it holds. */
const documentChannel = (documentId: string) => `collab:doc:${documentId}`;
const PRESENCE_CHANNEL = "collab:presence";

/**
 * The documents' link between nodes over Redis pub/sub. Publishing is
 * fire-and-forget (pub/sub is at most once anyway): what is lost while Redis
 * is away, or in transit, is repaired by the documents' resync after each
 * reconnect. A node subscribes to a document's channel while it holds it.
 */
export function createRedisPeerLink(redis: RedisConnections, node: string, logger: Logger): PeerLink {
  const receivers = new Map<string, (bytes: Buffer) => void>();
  // Redis delivers a node's publications back to it: half of what it reads while its clients type.
  const ownPrefix = Buffer.from(senderPrefix(node));
  const isOwn = (bytes: Buffer) => bytes.subarray(0, ownPrefix.byteLength).equals(ownPrefix);

  const subscribe = (documentId: string) => {
    const listener = receivers.get(documentId);
    if (!listener) return Promise.resolve();
    return redis.subscriber.subscribe(documentChannel(documentId), listener, true);
  };
  // Subscriptions made while Redis was away failed: make them now (again is harmless, the listener is the same).
  redis.onReconnect(() => {
    for (const documentId of receivers.keys()) subscribe(documentId).catch(() => undefined);
  });

  return {
    async join(documentId, receive) {
      receivers.set(documentId, (bytes: Buffer) => {
        if (isOwn(bytes)) return;
        let message: PeerMessage;
        try {
          message = readPeerMessage(bytes);
        } catch (error) {
          if (error instanceof InvalidPeerMessageError) logger.warn({ documentId }, "ignored a malformed peer message");
          return;
        }
        receive(message);
      });
      try {
        await subscribe(documentId);
      } catch (error) {
        // Editing goes on locally; the reconnect subscribes and resynchronizes.
        logger.warn({ err: error, documentId }, "could not subscribe to a document's channel");
      }
    },
    leave(documentId) {
      const listener = receivers.get(documentId);
      receivers.delete(documentId);
      if (listener) redis.subscriber.unsubscribe(documentChannel(documentId), listener, true).catch(() => undefined);
    },
    send(documentId: string, message: PeerMessage) {
      redis.commands
        .publish(documentChannel(documentId), Buffer.from(writePeerMessage(node, message)))
        .catch(() => undefined);
    },
    onReconnect(listener) {
      return redis.onReconnect(listener);
    },
  };
}

/** Presence between nodes: who is online in which project on each, as small JSON messages. */
export function createRedisPresenceExchange(redis: RedisConnections, node: string): PresenceExchange {
  return {
    publish(projectId, users) {
      redis.commands.publish(PRESENCE_CHANNEL, JSON.stringify({ node, projectId, users })).catch(() => undefined);
    },
    subscribe(handler) {
      const listener = (raw: string) => {
        let parsed: { node?: unknown; projectId?: unknown; users?: unknown };
        try {
          parsed = JSON.parse(raw);
        } catch {
          return;
        }
        if (typeof parsed.node !== "string" || parsed.node === node || typeof parsed.projectId !== "string") return;
        if (!Array.isArray(parsed.users)) return;
        // A node of an older version sends no counts: one socket each.
        const users = (parsed.users as PresentUser[]).map((user) => ({ ...user, sockets: Number(user.sockets) || 1 }));
        handler(parsed.node, parsed.projectId, users);
      };
      const subscribe = () => redis.subscriber.subscribe(PRESENCE_CHANNEL, listener).catch(() => undefined);
      void subscribe();
      redis.onReconnect(() => void subscribe());
    },
  };
}
