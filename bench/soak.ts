import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { SignJWT } from "jose";
import { spawnNode, startPrivateRedis, type ChildNode } from "../harness/index.ts";
import { ChaosBot } from "./chaos/chaos-bot.ts";
import { parseDuration as duration } from "./duration.ts";

/**
 * `npm run bench:soak -- --nodes 3 --players 300 --duration 60m --sample 10m [--out bench-out/soak]`:
 * bots play tictactoe without a pause on `nodes` nodes (no faults) for `duration`. At every sample
 * each node collects its garbage (SIGUSR2 with --expose-gc) and reports the heap left, and Redis
 * reports its memory and what it keeps: the report says whether the heap stayed flat after the
 * first sample (within 5%), and how much Redis memory each finished match costs while its replay
 * is kept (`REPLAY_TTL`), so an operator can size Redis from the match rate.
 */

const { values } = parseArgs({
  options: {
    nodes: { type: "string", default: "3" },
    players: { type: "string", default: "300" },
    duration: { type: "string", default: "60m" },
    sample: { type: "string", default: "10m" },
    out: { type: "string", default: "bench-out/soak" },
  },
});
const nodesWanted = Number(values.nodes);
const players = Number(values.players);
const durationMs = duration(values.duration);
const sampleMs = duration(values.sample);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const say = (line: string) => process.stdout.write(`${line}\n`);

interface Sample {
  atS: number;
  /** Heap used after a forced collection, MB, per node. */
  heapMb: number[];
  rssMb: number[];
  redisUsedMb: number;
  keys: number;
  replays: number;
  kinds: Record<string, number>;
  matchesEnded: number;
}

const redis = await startPrivateRedis();
const direct = new Redis(redis.url);
const secret = randomBytes(32).toString("hex");
const prefix = `soak${randomBytes(3).toString("hex")}`;
const env = {
  ENGINE: "uws",
  REDIS_URL: redis.url,
  REDIS_PREFIX: prefix,
  ARENA_SECRET: secret,
  MATCHMAKER_INTERVAL_MS: "50",
  TICTACTOE_MOVE_SECONDS: "0.5",
  RATE_LIMIT_PER_SECOND: "200",
  RATE_LIMIT_BURST: "400",
};
const nodes: ChildNode[] = await Promise.all(
  Array.from({ length: nodesWanted }, (_, i) => spawnNode({ ...env, NODE_ID: `soak-${i}` }, { keepLogs: true, nodeFlags: ["--expose-gc"] })),
);
const exp = Math.floor(Date.now() / 1000) + 86_400;
const key = new TextEncoder().encode(secret);
const bots = await Promise.all(
  Array.from({ length: players }, async (_, i) => {
    const token = await new SignJWT({ name: `S${i}` }).setProtectedHeader({ alg: "HS256" }).setSubject(`soak-${i}`).setExpirationTime(exp).sign(key);
    return new ChaosBot(`soak-${i}`, token, () => nodes.map((n) => n.url));
  }),
);
const baselineUsed = Number(/used_memory:(\d+)/.exec(await direct.info("memory"))![1]);
for (const bot of bots) {
  bot.start();
  await sleep(5);
}
say(`${players} bots on ${nodesWanted} nodes for ${durationMs / 60_000} min, a sample every ${sampleMs / 60_000} min`);

/** Asks every node to collect, and waits for each to log what is left. */
async function heaps(): Promise<{ heapMb: number[]; rssMb: number[] }> {
  const before = nodes.map((n) => n.logs.length);
  for (const node of nodes) node.process.kill("SIGUSR2");
  const lines = await Promise.all(
    nodes.map(async (node, i) => {
      for (let waited = 0; waited < 30_000; waited += 50) {
        const line = node.logs.slice(before[i]).find((l) => l.msg === "heap after a forced collection");
        if (line) return line;
        await sleep(50);
      }
      throw new Error(`${node.nodeId} did not report its heap`);
    }),
  );
  const mb = (bytes: unknown) => Math.round((Number(bytes) / 1048576) * 10) / 10;
  return { heapMb: lines.map((l) => mb(l.heapUsed)), rssMb: lines.map((l) => mb(l.rss)) };
}

/** Keys by kind (the part of the name after the game's tag: replay, hist, req...). */
async function kinds(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  let cursor = "0";
  do {
    const [next, found] = await direct.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    cursor = next;
    for (const name of found) {
      const kind = name.split(":")[2] ?? name;
      counts[kind] = (counts[kind] ?? 0) + 1;
    }
  } while (cursor !== "0");
  return counts;
}

const samples: Sample[] = [];
const started = Date.now();
for (let at = sampleMs; at <= durationMs; at += sampleMs) {
  await sleep(started + at - Date.now());
  const { heapMb, rssMb } = await heaps();
  const sample: Sample = {
    atS: Math.round((Date.now() - started) / 1000),
    heapMb,
    rssMb,
    redisUsedMb: Math.round(Number(/used_memory:(\d+)/.exec(await direct.info("memory"))![1]) / 104857.6) / 10,
    keys: await direct.dbsize(),
    replays: 0,
    kinds: await kinds(),
    matchesEnded: bots.reduce((n, b) => n + b.matchesEnded, 0),
  };
  sample.replays = sample.kinds.replay ?? 0;
  samples.push(sample);
  say(JSON.stringify(sample));
}
for (const bot of bots) bot.wind();
await sleep(3000);
for (const bot of bots) bot.close();
await Promise.all(nodes.map((n) => n.kill("SIGTERM").catch(() => undefined)));

const first = samples[0]!;
const last = samples.at(-1)!;
const drift = first.heapMb.map((h, i) => Math.round(((last.heapMb[i]! - h) / h) * 1000) / 10);
// What each kept match adds, from the growth between the first and last samples (request ids and
// other short-lived keys are at their steady state by then); from the empty store with one sample.
const grown = samples.length > 1 ? last.replays - first.replays : last.replays;
const usedBytes = samples.length > 1 ? (last.redisUsedMb - first.redisUsedMb) * 1048576 : last.redisUsedMb * 1048576 - baselineUsed;
const perReplay = grown > 0 ? Math.round(usedBytes / grown) : 0;
const report = { options: { nodes: nodesWanted, players, durationMs, sampleMs }, samples, heapDriftPct: drift, redisBytesPerKeptMatch: perReplay };
mkdirSync(values.out, { recursive: true });
writeFileSync(join(values.out, "report.json"), `${JSON.stringify(report, null, 2)}\n`);
const md = [
  `# Soak: ${nodesWanted} nodes, ${players} players, ${durationMs / 60_000} min`,
  "",
  "| at | heap after GC (MB), per node | RSS (MB) | Redis used (MB) | keys | replays kept | matches ended |",
  "| --- | --- | --- | --- | --- | --- | --- |",
  ...samples.map(
    (s) =>
      `| ${Math.round(s.atS / 60)} min | ${s.heapMb.join(" / ")} | ${s.rssMb.join(" / ")} | ${s.redisUsedMb} | ${s.keys} | ${s.replays} | ${s.matchesEnded} |`,
  ),
  "",
  `- Heap after GC from the first sample to the last, per node: ${drift.map((d) => `${d > 0 ? "+" : ""}${d}%`).join(", ")} (flat: within 5%).`,
  `- Redis memory per finished match while its replay is kept: about ${perReplay} bytes (growth of used memory / growth of replays kept, first to last sample).`,
  `- Keys by kind at the end: ${Object.entries(last.kinds)
    .sort(([, a], [, b]) => b - a)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(", ")}.`,
  "",
].join("\n");
writeFileSync(join(values.out, "report.md"), md);
say(md);
direct.disconnect();
await redis.stop();
process.exit(drift.every((d) => Math.abs(d) <= 5) ? 0 : 1);
