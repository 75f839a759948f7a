import { describe, expect, it } from "vitest";
import { pino } from "pino";
import { LocalRelay } from "../server/relay/relay.ts";
import { openRedis } from "../server/redis.ts";
import { SessionTakeover } from "../server/edge/session-takeover.ts";
import { redisEnv, testPrefix, type RedisKind } from "./support/servers.ts";

describe.each(["redis", "redis-cluster"] as const)("session generations (%s)", (kind: RedisKind) => {
  it("keep increasing across nodes, and after Redis lost its counter (a restart without persistence)", async () => {
    const env = redisEnv(kind);
    const redis = openRedis(env.REDIS_URL!, kind === "redis-cluster", { maxRetriesPerRequest: 1 });
    const key = `${testPrefix()}:session-generation`;
    const log = pino({ level: "silent" });
    const a = new SessionTakeover(redis, key, new LocalRelay("a"), "a", log, () => undefined);
    const b = new SessionTakeover(redis, key, new LocalRelay("b"), "b", log, () => undefined);
    try {
      // Many rounds, so that draws and losses fall within one millisecond of each other.
      for (let round = 0; round < 30; round++) {
        const drawn = [await a.nextGeneration(), await b.nextGeneration(), await a.nextGeneration()];
        expect(drawn[1]).toBeGreaterThan(drawn[0]!);
        expect(drawn[2]).toBeGreaterThan(drawn[1]!);
        await redis.del(key);
        const afterLoss = await b.nextGeneration();
        expect(afterLoss).toBeGreaterThan(drawn[2]!);
        expect(await a.nextGeneration()).toBeGreaterThan(afterLoss);
      }
    } finally {
      a.close();
      b.close();
      await redis.del(key);
      await redis.quit();
    }
  });
});
