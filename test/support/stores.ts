import { inject } from "vitest";
import { memoryStore, redisStore, type MatchmakingStore } from "../../matchmaker/index.ts";
import { openRedis, type RedisClient } from "../../server/redis.ts";
import { testPrefix } from "./servers.ts";

export interface StoreKind {
  name: string;
  create(): Promise<{ store: MatchmakingStore; dispose(): Promise<void> }>;
}

/** Deletes the keys under `prefix` (on every master of a Cluster): only what a test wrote. */
export async function deleteKeys(redis: RedisClient, prefix: string): Promise<void> {
  const nodes = "nodes" in redis ? redis.nodes("master") : [redis];
  for (const node of nodes) {
    for (const key of await node.keys(`${prefix}:*`)) await node.del(key);
  }
}

function onRedis(name: string, url: () => string, cluster: boolean): StoreKind {
  return {
    name,
    async create() {
      const redis = openRedis(url(), cluster, { maxRetriesPerRequest: 1 });
      const prefix = testPrefix();
      const store = redisStore(redis, prefix, ["pong", "tictactoe"]);
      return {
        store,
        async dispose() {
          await deleteKeys(redis, prefix);
          await redis.quit();
        },
      };
    },
  };
}

/** The store implementations every conformance test runs against: memory, standalone Redis, and a 3-master Redis Cluster. */
export const STORES: StoreKind[] = [
  {
    name: "memory",
    async create() {
      const store = memoryStore();
      return { store, dispose: () => store.close() };
    },
  },
  onRedis("redis", () => inject("redisUrl"), false),
  onRedis("redis-cluster", () => inject("redisClusterUrl"), true),
];
