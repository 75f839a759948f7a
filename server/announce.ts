import { Emitter } from "@socket.io/redis-emitter";
import type { RedisClient } from "./redis.ts";
import type { ServerToClientEvents } from "../protocol/index.ts";

/**
 * Publishes an `announcement` to every player of a game on every node, through Redis, without
 * being a node: the Redis adapter's key (`REDIS_PREFIX`) is all it needs to know.
 */
export async function announce(redis: RedisClient, prefix: string, game: string, text: string): Promise<{ text: string; at: number }> {
  const emitter = new Emitter<ServerToClientEvents>(redis, { key: prefix });
  const announcement = { text, at: Date.now() };
  emitter.of(`/${game}`).emit("announcement", announcement);
  // publish is fire-and-forget in the emitter: a round trip on every connection it may have used
  // (each master of a Cluster) makes sure it left before we quit
  await Promise.all(("nodes" in redis ? redis.nodes("master") : [redis]).map((node) => node.ping()));
  return announcement;
}
