import { createAdapter } from "@socket.io/redis-streams-adapter";
import type { ServerOptions } from "socket.io";
import type { PeerLink } from "../collab/peer-messages.js";
import type { DocumentStore } from "../collab/storage.js";
import type { RateLimitStores } from "../http/rate-limit.js";
import type { Logger } from "../logger.js";
import type { PresenceExchange } from "../realtime/presence.js";
import { withCompactionLease } from "./compaction-lease.js";
import { createRedisPeerLink, createRedisPresenceExchange } from "./peers.js";
import { redisRateLimitStores } from "./rate-limit-stores.js";
import { RedisConnections } from "./redis.js";

/** Everything a node shares with the others of its cluster, over one Redis. */
export interface Cluster {
  redis: RedisConnections;
  /** Socket.IO's rooms, broadcasts, fetchSockets and serverSideEmit across nodes. */
  adapter: ServerOptions["adapter"];
  /** Documents' changes, resyncs and awareness between the nodes that hold them. */
  peers: PeerLink;
  presence: PresenceExchange;
  rateLimitStores: RateLimitStores;
  /** The store, with one node at a time compacting each document. */
  sharedStore(store: DocumentStore): DocumentStore;
}

/**
 * Connects this node to Redis (refusing to start if it does not answer) and
 * builds what goes through it. Socket.IO's adapter is the streams one: its
 * messages are read from a Redis stream from where the node left off, so a
 * Redis blip delays room broadcasts (revocations, notifications) instead of
 * losing them; the pub/sub adapter would drop whatever was sent meanwhile.
 */
export async function joinCluster(url: string, node: string, logger: Logger): Promise<Cluster> {
  const redis = await RedisConnections.connect(url, logger.child({ component: "redis" }));
  logger.info("joined the cluster through Redis");
  return {
    redis,
    adapter: createAdapter(redis.forAdapter, { streamName: "collab:socket.io", blockTimeInMs: 2_000 }),
    peers: createRedisPeerLink(redis, node, logger.child({ component: "peers" })),
    presence: createRedisPresenceExchange(redis, node),
    rateLimitStores: redisRateLimitStores(redis),
    sharedStore: (store) => withCompactionLease(store, redis, node),
  };
}
