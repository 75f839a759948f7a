import { Redis } from "ioredis";
import { inject } from "vitest";
import { MemoryStore, RedisStore, type MatchmakingStore } from "../../matchmaker/index.ts";
import { testPrefix } from "./servers.ts";

export interface StoreKind {
  name: string;
  create(): Promise<{ store: MatchmakingStore; dispose(): Promise<void> }>;
}

/** The store implementations every conformance test runs against. */
export const STORES: StoreKind[] = [
  {
    name: "memory",
    async create() {
      const store = new MemoryStore();
      return { store, dispose: () => store.close() };
    },
  },
  {
    name: "redis",
    async create() {
      const redis = new Redis(inject("redisUrl"), { maxRetriesPerRequest: 1 });
      const prefix = testPrefix();
      const store = new RedisStore(redis, prefix);
      return {
        store,
        async dispose() {
          const keys = await redis.keys(`${prefix}:*`);
          if (keys.length) await redis.del(...keys);
          await redis.quit();
        },
      };
    },
  },
];
