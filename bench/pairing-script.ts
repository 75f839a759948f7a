/**
 * The pairing script alone: pairings per second and time per call, with a queue of 10,000 and of
 * 100,000 tickets, on a private Redis (and the in-memory store, for comparison, in the same run).
 *   npm run bench:pairing            (or: tsx bench/pairing-script.ts 10000 100000)
 */
import { performance } from "node:perf_hooks";
import { Redis } from "ioredis";
import { DEFAULT_RULES, memoryStore, redisStore, type MatchmakingStore } from "../matchmaker/index.ts";
import { startPrivateRedis } from "../harness/index.ts";
import { percentile, round } from "./stats.ts";

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const SIZES = sizes.length ? sizes : [10_000, 100_000];
const CALLS = 200;
const IDS_PER_CALL = DEFAULT_RULES.maxPairsPerPass;

/** A normal-ish rating around 1200 (sum of uniforms). */
const rating = () => Math.round(1200 + (Math.random() + Math.random() + Math.random() - 1.5) * 300);

let nextPlayer = 0;

/** Queues `count` fresh players (sessions, ratings, tickets waiting 0-30 s). */
async function add(store: MatchmakingStore, count: number, now: number): Promise<void> {
  const batch = 500;
  for (let i = 0; i < count; i += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, count - i) }, async () => {
        const n = nextPlayer++;
        const playerId = `p${n}`;
        await store.openSession("pong", playerId, "bench-node", n + 1, now);
        const r = rating();
        await store.setRatings("pong", "default", { [playerId]: { rating: r, mu: r, sigma: 0 } }, 3_600_000);
        const initial = { rating: 1200, mu: 1200, sigma: 0 };
        await store.enqueue({ ticketId: `t${n}`, playerId, name: playerId, game: "pong", mode: "default" }, now - Math.floor(Math.random() * 30_000), initial);
      }),
    );
  }
}

async function measure(name: string, store: MatchmakingStore, size: number) {
  const now = Date.now();
  const fillStart = performance.now();
  await store.heartbeat("bench-node", now);
  await add(store, size, now);
  const fillMs = performance.now() - fillStart;
  const latencies: number[] = [];
  let pairs = 0;
  let callId = 0;
  let busy = 0;
  for (let call = 0; call < CALLS; call++) {
    const ids = Array.from({ length: IDS_PER_CALL }, (_, i) => `m${callId}-${i}`);
    callId += 1;
    const t = performance.now();
    const made = await store.pair("pong", "default", now, DEFAULT_RULES, ids);
    const took = performance.now() - t;
    latencies.push(took);
    busy += took;
    pairs += made.length;
    // keep the queue at its size (not timed)
    await add(store, made.length * 2, now);
  }
  const left = (await store.counts("pong")).queued;
  return {
    store: name,
    queue: size,
    calls: CALLS,
    pairsPerCall: round(pairs / CALLS, 1),
    pairingsPerSecond: Math.round(pairs / (busy / 1000)),
    p50Ms: round(percentile(latencies, 50), 3),
    p99Ms: round(percentile(latencies, 99), 3),
    queueAfter: left,
    fillSeconds: round(fillMs / 1000, 1),
  };
}

const redis = await startPrivateRedis();
const client = new Redis(redis.url);
const rows = [];
try {
  for (const size of SIZES) {
    await client.flushall();
    rows.push(await measure("redis", redisStore(client, "bench", ["pong"]), size));
    rows.push(await measure("memory", memoryStore(), size));
  }
} finally {
  await client.quit();
  await redis.stop();
}
console.table(rows);
console.log(JSON.stringify({ bench: "pairing-script", date: new Date().toISOString(), cores: (await import("node:os")).cpus().length, rows }));
