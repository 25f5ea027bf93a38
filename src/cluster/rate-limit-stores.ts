import { RedisStore } from "rate-limit-redis";
import type { RateLimitStores } from "../http/rate-limit.js";
import type { RedisConnections } from "./redis.js";

/** Rate-limit counters in Redis, one key prefix per limiter, so every node counts the same requests. */
export function redisRateLimitStores(redis: RedisConnections): RateLimitStores {
  return (name) =>
    new RedisStore({
      prefix: `collab:rate:${name}:`,
      sendCommand: (...args: string[]) => redis.commands.sendCommand(args) as Promise<never>,
    });
}
