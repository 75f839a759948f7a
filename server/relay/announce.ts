import { Emitter } from "@socket.io/redis-emitter";
import type { ServerToClientEvents } from "../../protocol/index.ts";
import type { RedisClient } from "../redis.ts";

/** socket.io-adapter's cluster message type BROADCAST, and socket.io-parser's packet type EVENT. */
const BROADCAST = 3;
const EVENT = 2;

/**
 * Publishes an `announcement` to every player of a game on every node, through Redis, without
 * being a node: the Redis adapter's key (`REDIS_PREFIX`) is all it needs to know. On standalone
 * Redis the nodes run the classic adapter, which `@socket.io/redis-emitter` speaks; on a Cluster
 * they run the sharded adapter, whose broadcast message is written here (as its `encode` does) and
 * sent with SPUBLISH on the game's channel.
 */
export async function announce(redis: RedisClient, prefix: string, game: string, text: string): Promise<{ text: string; at: number }> {
  const announcement = { text, at: Date.now() };
  const nsp = `/${game}`;
  if ("nodes" in redis) {
    const packet = { type: EVENT, data: ["announcement", announcement], nsp };
    const message = { uid: "emitter", nsp, type: BROADCAST, data: { packet, opts: { rooms: [], except: [], flags: {} } } };
    await redis.spublish(`${prefix}#${nsp}#`, JSON.stringify(message));
    return announcement;
  }
  const emitter = new Emitter<ServerToClientEvents>(redis, { key: prefix });
  emitter.of(nsp).emit("announcement", announcement);
  // publish is fire-and-forget in the emitter: a round trip makes sure it left before we quit
  await redis.ping();
  return announcement;
}
