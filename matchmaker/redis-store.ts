import type { Cluster, Redis } from "ioredis";
import type { MatchmakingStore } from "./store.ts";
import { RedisCore } from "./redis/core.ts";
import { redisLobby } from "./redis/lobby.ts";
import { redisMatches } from "./redis/matches.ts";
import { redisQueues } from "./redis/queues.ts";
import { redisRatings } from "./redis/ratings.ts";
import { redisSessions } from "./redis/sessions.ts";
import { redisWatch } from "./redis/watch.ts";

/**
 * The shared store on Redis, standalone or Cluster: every change that touches more than one key is
 * one Lua script, so matchers on any number of nodes never pair a ticket twice, nor a cancelled or
 * expired one. It is composed of one object per role (`redis/`: sessions, queues, matches, ratings,
 * lobby, watching) over one shared connection and script runner (`RedisCore`).
 */
export function redisStore(redis: Redis | Cluster, prefix: string, games: readonly string[]): MatchmakingStore {
  const core = new RedisCore(redis, prefix, games);
  const store = {} as MatchmakingStore;
  return Object.assign(store, redisSessions(core), redisQueues(core), redisMatches(core), redisRatings(core), redisLobby(core), redisWatch(core), {
    /** The store's epoch (`MatchmakingStore.epoch`): outside any game's slot. */
    async epoch(candidate: string): Promise<string> {
      return core.call(async () => {
        const key = `${prefix}:epoch`;
        await redis.set(key, candidate, "NX");
        return (await redis.get(key)) ?? candidate;
      });
    },
    async close(): Promise<void> {},
  });
}
