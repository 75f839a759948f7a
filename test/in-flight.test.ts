import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { MAX_IN_FLIGHT } from "../server/edge/event-handlers.ts";
import { closeAllClients, connect, type TestClient } from "./support/clients.ts";
import { startPrivateRedis, type PrivateRedis } from "./support/redis-process.ts";
import { spawnNode, stopAll, testPrefix, testSecret, type ChildNode } from "./support/servers.ts";
import { signToken } from "./support/tokens.ts";

const nodes: ChildNode[] = [];
let redis: PrivateRedis | undefined;
afterEach(async () => {
  closeAllClients();
  await stopAll(nodes);
  await redis?.stop();
  redis = undefined;
});

describe("events in flight per socket while Redis is slow", () => {
  it(`at most ${MAX_IN_FLIGHT} wait; the rest are answered RATE_LIMITED at once, and the waiting ones are answered when Redis is back`, async () => {
    redis = await startPrivateRedis();
    const secret = testSecret();
    nodes.push(await spawnNode({ ENGINE: "uws", REDIS_URL: redis.url, REDIS_PREFIX: testPrefix(), ARENA_SECRET: secret }));
    const socket: TestClient = await connect(nodes[0]!.url, "pong", await signToken(secret, { sub: "patient", exp: Math.floor(Date.now() / 1000) + 600 }));
    const admin = new Redis(redis.url);
    try {
      // Redis stops answering for 1.5 s (every `stats` reads it): a script that spins that long
      const spin =
        "local s = redis.call('TIME') local t0 = s[1] * 1e6 + s[2] while true do local n = redis.call('TIME') if n[1] * 1e6 + n[2] - t0 > 1.5e6 then return 1 end end";
      const asleep = admin.eval(spin, 0);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const sentAt = Date.now();
      const answers = await Promise.all(
        Array.from(
          { length: 40 },
          () =>
            new Promise<{ ok: boolean; error?: { code: string }; at: number }>((resolve) =>
              (socket as unknown as { emit(...a: unknown[]): void }).emit("stats", {}, (answer: { ok: boolean; error?: { code: string } }) =>
                resolve({ ...answer, at: Date.now() - sentAt }),
              ),
            ),
        ),
      );
      await asleep;
      const refused = answers.filter((a) => !a.ok);
      expect(refused).toHaveLength(40 - MAX_IN_FLIGHT);
      for (const a of refused) {
        expect(a.error?.code).toBe("RATE_LIMITED");
        expect(a.at).toBeLessThan(1000);
      }
      const served = answers.filter((a) => a.ok);
      expect(served).toHaveLength(MAX_IN_FLIGHT);
      for (const a of served) expect(a.at).toBeGreaterThanOrEqual(1000);
    } finally {
      admin.disconnect();
    }
  });
});
