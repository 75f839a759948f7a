import { Emitter } from "@socket.io/redis-emitter";
import type { Redis } from "ioredis";
import type { ServerToClientEvents } from "../protocol/index.ts";

/**
 * Publishes an `announcement` to every player of a game on every node, through Redis, without
 * being a node: the Redis adapter's key (`REDIS_PREFIX`) is all it needs to know.
 */
export async function announce(redis: Redis, prefix: string, game: string, text: string): Promise<{ text: string; at: number }> {
  const emitter = new Emitter<ServerToClientEvents>(redis, { key: prefix });
  const announcement = { text, at: Date.now() };
  emitter.of(`/${game}`).emit("announcement", announcement);
  // publish is fire-and-forget in the emitter: a round trip makes sure it left before we quit
  await redis.ping();
  return announcement;
}
