import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { SignJWT } from "jose";
import { FaultProxy, spawnNode, startPrivateRedis, type ChildNode } from "../../harness/index.ts";
import { ChaosBot } from "./chaos-bot.ts";

export interface ChaosOptions {
  nodes: number;
  players: number;
  durationMs: number;
  /** Progress lines (the CLI prints them). */
  say?: (line: string) => void;
}

export interface ChaosReport {
  options: { nodes: number; players: number; durationMs: number };
  kills: number;
  cuts: number;
  scriptCuts: number;
  matchesEnded: number;
  checks: number;
  /** Every invariant broken, with when and what. */
  violations: string[];
  /** Each node's resident memory (MB) at each check, by node id. */
  rssMb: Record<string, number[]>;
}

const TTL_MS = 3000;
/** A tictactoe match with a 0.5 s move clock is over well within this, grace and adoption included. */
const MATCH_BOUND_MS = 60_000;
const CHECK_EVERY_MS = 5000;
/** A node's log line as a violation quotes it: wall-clock seconds (as the bots' history), node, message. */
const logLine = (nodeId: string, l: Record<string, unknown>) =>
  `${Number.isFinite(Number(l.time)) ? new Date(Number(l.time)).toISOString().slice(17, 23) : "--.---"} ${nodeId}: ${String(l.msg)}${l.redis ? ` (${String(l.redis)})` : ""}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Bots play continuously on `nodes` nodes while nodes are SIGKILLed and restarted and their Redis
 * connections are cut at random (through a fault proxy); invariants are checked all along and at
 * the end: no client told of a match while in another, every match a client saw start on a
 * connection that stayed up ended there, no match open longer than any match can last, no ticket
 * of a silent node outliving the TTL, no crash, resident memory flat, and everything ends.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const say = options.say ?? (() => undefined);
  const redis = await startPrivateRedis();
  const proxy = await FaultProxy.start({ host: "127.0.0.1", port: redis.port });
  const direct = new Redis(redis.url);
  const secret = randomBytes(32).toString("hex");
  const prefix = `chaos${randomBytes(3).toString("hex")}`;
  const env = {
    ENGINE: "uws",
    REDIS_URL: proxy.url(),
    REDIS_PREFIX: prefix,
    ARENA_SECRET: secret,
    TICKET_TTL_MS: String(TTL_MS),
    HOST_LEASE_MS: "1500",
    READY_TIMEOUT_MS: "3000",
    RECONNECT_GRACE_MS: "2000",
    MATCHMAKER_INTERVAL_MS: "50",
    TICTACTOE_MOVE_SECONDS: "0.5",
    SNAPSHOT_INTERVAL_MS: "500",
    RATE_LIMIT_PER_SECOND: "200",
    RATE_LIMIT_BURST: "400",
  };
  const report: ChaosReport = {
    options: { nodes: options.nodes, players: options.players, durationMs: options.durationMs },
    kills: 0,
    cuts: 0,
    scriptCuts: 0,
    matchesEnded: 0,
    checks: 0,
    violations: [],
    rssMb: {},
  };
  const started = Date.now();
  const at = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  const violation = (what: string) => {
    report.violations.push(`${at()}: ${what}`);
    say(`VIOLATION ${at()}: ${what}`);
  };

  let generation = 0;
  const spawn = () => spawnNode({ ...env, NODE_ID: `chaos-${++generation}` }, { keepLogs: true });
  const live: ChildNode[] = await Promise.all(Array.from({ length: options.nodes }, spawn));
  const dead: ChildNode[] = [];
  const original = new Set(live.map((n) => n.nodeId));
  const exp = Math.floor(Date.now() / 1000) + 86_400;
  const key = new TextEncoder().encode(secret);
  const bots = await Promise.all(
    Array.from({ length: options.players }, async (_, i) => {
      const token = await new SignJWT({ name: `C${i}` }).setProtectedHeader({ alg: "HS256" }).setSubject(`chaos-${i}`).setExpirationTime(exp).sign(key);
      return new ChaosBot(`chaos-${i}`, token, () => live.map((n) => n.url));
    }),
  );
  for (const bot of bots) {
    bot.start();
    await sleep(5);
  }
  say(`${options.players} bots on ${options.nodes} nodes; chaos for ${options.durationMs / 1000} s`);

  const reported = new Set<string>();
  const check = async () => {
    report.checks++;
    const now = Date.now();
    const tag = `${prefix}:{tictactoe}`;
    for (const k of await direct.keys(`${tag}:m:*`)) {
      const createdAt = Number(await direct.hget(k, "createdAt"));
      if (createdAt && now - createdAt > MATCH_BOUND_MS && !reported.has(k)) {
        reported.add(k);
        violation(`match ${k.split(":").pop()} still open ${Math.round((now - createdAt) / 1000)} s after it was made`);
      }
    }
    for (const k of await direct.keys(`${tag}:t:*`)) {
      const playerId = await direct.hget(k, "playerId");
      const node = playerId ? await direct.hget(`${tag}:p:tictactoe:${playerId}`, "node") : null;
      const seen = node ? Number(await direct.zscore(`${tag}:nodes`, node)) : 0;
      if (node && seen && now - seen > 3 * TTL_MS && !reported.has(k)) {
        reported.add(k);
        violation(`ticket ${k.split(":").pop()} of ${playerId} outlived its silent node ${node} by ${Math.round((now - seen) / 1000)} s`);
      }
    }
    for (const node of live) {
      const snapshot = (await (await fetch(`${node.url}/metrics/latency`).catch(() => undefined))?.json().catch(() => undefined)) as
        | { rssBytes?: number }
        | undefined;
      if (snapshot?.rssBytes) (report.rssMb[node.nodeId] ??= []).push(Math.round(snapshot.rssBytes / 1e6));
    }
  };
  const checker = setInterval(() => void check().catch((e: Error) => say(`check failed: ${e.message}`)), CHECK_EVERY_MS);

  // Chaos until 80% of the run (at most the run less 20 s); then everything must settle.
  const chaosUntil = started + Math.max(options.durationMs * 0.5, options.durationMs - Math.max(20_000, options.durationMs * 0.2));
  // The first rounds do one of each (a kill, a cut of every connection, a script cut), so that even
  // a short run on a loaded machine, with few rounds, does what it claims; then at random.
  const firstRolls = [0, 0.5, 0.9];
  let round = 0;
  while (Date.now() < chaosUntil) {
    await sleep(round < firstRolls.length ? 2000 : 3000 + Math.random() * 4000);
    if (Date.now() >= chaosUntil) break;
    const roll = firstRolls[round++] ?? Math.random();
    if (roll < 0.45 && live.length > 1) {
      const victim = live.splice(Math.floor(Math.random() * live.length), 1)[0]!;
      victim.process.kill("SIGKILL");
      await victim.exited;
      dead.push(victim);
      report.kills++;
      say(`${at()}: SIGKILL ${victim.nodeId} (port ${victim.port})`);
      void sleep(1000 + Math.random() * 1000)
        .then(spawn)
        .then((node) => {
          live.push(node);
          say(`${at()}: started ${node.nodeId} (port ${node.port})`);
        });
    } else if (roll < 0.85) {
      proxy.cutAll();
      report.cuts++;
      say(`${at()}: cut every Redis connection`);
    } else {
      report.scriptCuts++;
      void Promise.race([proxy.cutAfterCommand('"matchIds"'), sleep(2000)]);
      say(`${at()}: cut the next pairing script's connection`);
    }
  }

  // Settle: bots stop queueing and readying; every match and ready check must end.
  for (const bot of bots) bot.wind();
  const settleBy = started + options.durationMs;
  while (Date.now() < settleBy && bots.some((b) => b.inMatch())) await sleep(250);
  await sleep(Math.max(0, Math.min(5000, settleBy - Date.now())));
  clearInterval(checker);
  await check();
  for (const bot of bots.filter((b) => b.inMatch())) violation(`${bot.id} still in a match at the end`);
  const left = (await direct.keys(`${prefix}:{tictactoe}:m:*`)).length;
  if (left) violation(`${left} match records left at the end`);
  for (const bot of bots) {
    report.matchesEnded += bot.matchesEnded;
    for (const problem of bot.problems) violation(problem);
    for (const matchId of bot.unended()) {
      // What the nodes said of that match and that player, and of their Redis connections around it, in time order.
      const around = (l: Record<string, unknown>) =>
        l.matchId === matchId || l.playerId === bot.id || (typeof l.redis === "string" && l.msg !== "redis connection ready");
      const said = [...live, ...dead]
        .flatMap((n) => n.logs.filter(around).map((l) => ({ time: Number(l.time), line: logLine(n.nodeId, l) })))
        .sort((a, b) => a.time - b.time)
        .slice(-30)
        .map((x) => x.line);
      violation(`${bot.id}: ${matchId} started on a connection that stayed up and never ended (${said.join("; ")}) [${bot.history.join(", ")}]`);
    }
  }
  for (const [node, series] of Object.entries(report.rssMb)) {
    // Nodes up from start to end: memory after the first quarter must not keep growing.
    if (!original.has(node) || !live.some((n) => n.nodeId === node) || series.length < 4) continue;
    const base = series[Math.floor(series.length / 4)]!;
    const last = series.at(-1)!;
    if (last > Math.max(base * 1.5, base + 100)) violation(`${node}'s RSS grew from ${base} MB to ${last} MB`);
  }
  for (const bot of bots) bot.close();
  for (const node of [...live, ...dead]) {
    await node.kill().catch((error: Error) => violation(error.message));
  }
  direct.disconnect();
  await proxy.close();
  await redis.stop();
  say(`done: ${report.matchesEnded} match ends seen, ${report.kills} kills, ${report.cuts + report.scriptCuts} cuts, ${report.violations.length} violations`);
  return report;
}
