import { afterEach, describe, expect, it } from "vitest";
import { connect, fetchGuestToken, type ArenaClient } from "../clients/sdk/index.ts";
import { startLocalCluster, type LocalCluster } from "../harness/local-cluster.ts";
import type { MatchEnd, MatchMoving } from "../protocol/index.ts";
import type { GameTypes } from "../game-rooms/index.ts";
import type pong from "../game-rooms/games/pong/index.ts";
import { eventually } from "./support/clients.ts";
import { freePort } from "./support/redis-process.ts";
import { redisEnv, spawnNode, stopAll, testPrefix, testSecret, type ChildNode } from "./support/servers.ts";

type PongClient = ArenaClient<GameTypes<typeof pong>>;

let cluster: LocalCluster | undefined;
const clients: PongClient[] = [];
const nodes: ChildNode[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await cluster?.stop();
  cluster = undefined;
  await stopAll(nodes);
});

/** What one player saw across the deploy. */
interface Seen {
  client: PongClient;
  playerId: string;
  matchId?: string;
  seat?: 0 | 1;
  /** Each `match:moving`: when, where to, and the last tick heard before it. */
  moves: { at: number; to: string; matchId: string; tick: number }[];
  /** The move not yet followed by a later tick of the match. */
  pending?: Seen["moves"][number];
  /** Per move that went on: from `match:moving` to the first later tick (ms). */
  resumes: number[];
  /** Moves that went on at another node than the one `match:moving` named (it adopted the match after the named one did not). */
  elsewhere: number;
  /** Moves followed by another move before any later tick. */
  superseded: number;
  tick: number;
  ends: MatchEnd[];
  starts: number;
}

/** Pong players through HAProxy, each queued until its match started. */
async function players(url: string, count: number): Promise<Seen[]> {
  const seen = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const identity = await fetchGuestToken(url, `R${i}`);
      const client = connect<GameTypes<typeof pong>>({ url, game: "pong", token: identity.token, autoReady: true, encoding: "compact" });
      clients.push(client);
      const s: Seen = { client, playerId: identity.playerId, moves: [], resumes: [], elsewhere: 0, superseded: 0, tick: -1, ends: [], starts: 0 };
      client.on("start", (start) => {
        s.starts++;
        s.matchId = start.matchId;
        s.seat = start.seat;
      });
      client.on("moving", (moving: MatchMoving) => {
        if (s.pending) s.superseded++;
        s.pending = { at: Date.now(), to: moving.host.node, matchId: moving.matchId, tick: s.tick };
        s.moves.push(s.pending);
      });
      client.on("state", (state) => {
        if (state.matchId !== s.matchId) return;
        s.tick = Math.max(s.tick, state.tick);
        // A tick later than any before the move (the room stopped before `match:moving`): the match goes on.
        const move = s.pending;
        if (!move || state.tick <= move.tick) return;
        s.resumes.push(Date.now() - move.at);
        if (client.url !== cluster!.nodes.find((n) => n.nodeId === move.to)?.url) s.elsewhere++;
        s.pending = undefined;
      });
      client.on("end", (end) => s.ends.push(end));
      await client.connected();
      return s;
    }),
  );
  for (const s of seen) await s.client.queue();
  await eventually(() => seen.every((s) => s.starts === 1), 60_000, "every player's match started");
  return seen;
}

/** `promise`, or a failure saying what did not happen within `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Who did not go on after a move, with what the nodes logged about its match: the failure's details. */
function stuck(seen: Seen[]): string {
  const all = [...cluster!.past, ...cluster!.nodes];
  const lines = seen
    .filter((s) => s.pending)
    .slice(0, 4)
    .map((s) => {
      const logs = all.flatMap((n) =>
        n.logs.filter((l) => l.matchId === s.matchId || l.playerId === s.playerId).map((l) => [n.nodeId, l.msg, l.time, l.to ?? l.host ?? ""]),
      );
      return JSON.stringify({ player: s.playerId, match: s.matchId, url: s.client.url, status: s.client.status, moves: s.moves, resumes: s.resumes, logs });
    });
  return `${seen.filter((s) => s.pending).length} players; nodes now ${cluster!.nodes.map((n) => `${n.nodeId}=${n.url}`).join(" ")}; ${lines.join("\n").slice(0, 8000)}`;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};

describe("rolling restart (Redis Cluster, 3 nodes, HAProxy): SIGTERM hands matches over", () => {
  it("restarts every node under 200 playing bots: no match aborted, every match ends once, each one moved and went on", async () => {
    cluster = await startLocalCluster({
      nodes: 3,
      port: await freePort(),
      env: { MATCHMAKER_INTERVAL_MS: "30", PONG_POINTS: "100000", PONG_TICK_RATE: "10", SHUTDOWN_GRACE_MS: "20000", SNAPSHOT_INTERVAL_MS: "500" },
    });
    const seen = await players(cluster.url, 200);
    const matches = new Set(seen.map((s) => s.matchId));
    expect(matches.size).toBe(100);

    await cluster.rollingRestart();
    // Every player plays on: a state after its last move, on the node the match moved to.
    await eventually(() => seen.every((s) => !s.pending), 60_000, "every moved match goes on").catch((e: Error) => {
      throw new Error(`${e.message}: ${stuck(seen)}`);
    });
    const nodes = new Set(cluster.nodes.map((n) => n.url));
    await eventually(() => seen.every((s) => nodes.has(s.client.url)), 30_000, "every player on a live node");

    // Each match ends once, by a forfeit, for both its players.
    for (const s of seen)
      if (s.seat === 0)
        await s.client.forfeit().catch((e: Error) => {
          const host = s.moves.at(-1)?.to;
          throw new Error(
            `${s.playerId} ${s.matchId} on ${s.client.url} (${s.client.status}) host ${host}: ${e.message}; ${JSON.stringify([...cluster!.past, ...cluster!.nodes].flatMap((n) => n.logs.filter((l) => l.matchId === s.matchId || l.playerId === s.playerId).map((l) => [n.nodeId, l.msg, l.time]))).slice(0, 6000)}`,
          );
        });
    await eventually(() => seen.every((s) => s.ends.length > 0), 30_000, "every match ended");
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const s of seen) {
      expect(s.starts).toBe(1);
      expect(s.ends).toHaveLength(1);
      expect(s.ends[0]).toMatchObject({ matchId: s.matchId, reason: "forfeit" });
      // Its first host went down at some point: the match moved at least once, and stayed itself.
      expect(s.moves.length).toBeGreaterThan(0);
      expect(s.moves.every((m) => m.matchId === s.matchId)).toBe(true);
    }
    const logs = [...cluster.past, ...cluster.nodes].flatMap((n) => n.logs);
    expect(logs.filter((l) => /aborted/.test(String(l.msg)))).toEqual([]);

    const resumes = seen.flatMap((s) => s.resumes);
    const handovers = cluster.past.flatMap((n) =>
      n.logs.filter((l) => l.msg === "draining: matches handed over").map((l) => `${String(l.moved)} in ${String(l.ms)} ms`),
    );
    process.stdout.write(
      `rolling restart: ${resumes.length} resumes, p50 ${percentile(resumes, 50)} ms, p99 ${percentile(resumes, 99)} ms, max ${Math.max(...resumes)} ms; went on elsewhere than named ${sum(seen.map((s) => s.elsewhere))}, moved again before going on ${sum(seen.map((s) => s.superseded))}; handovers: ${handovers.join(", ")}\n`,
    );
  }, 300_000);
});

describe("where a draining node's matches go (standalone Redis)", () => {
  it("to the node of its own region with the most free connections; a node of another region, however idle, gets none", async () => {
    const env = {
      ENGINE: "uws",
      ...redisEnv("redis"),
      REDIS_PREFIX: testPrefix(),
      ARENA_SECRET: testSecret(),
      PONG_POINTS: "100000",
      MATCHMAKER_INTERVAL_MS: "30",
    };
    const at = async (region: string, maxConnections: number) => {
      const port = await freePort();
      const node = await spawnNode({
        ...env,
        REGION: region,
        MAX_CONNECTIONS: String(maxConnections),
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
      });
      nodes.push(node);
      return node;
    };
    // Alone at first: it hosts the match.
    const draining = await at("eu-west", 1000);
    const pair = await Promise.all(
      ["Ann", "Bob"].map(async (name) => {
        const identity = await fetchGuestToken(draining!.url, name);
        const client = connect<GameTypes<typeof pong>>({ url: draining!.url, game: "pong", token: identity.token, autoReady: true });
        clients.push(client);
        await client.connected();
        const moving = within(new Promise<MatchMoving>((resolve) => client.on("moving", resolve)), 30_000, `${name} told match:moving`);
        const started = within(new Promise<string>((resolve) => client.on("start", (start) => resolve(start.matchId))), 30_000, `${name}'s match started`);
        await client.queue();
        return { client, moving, matchId: await started };
      }),
    );
    // Then the others; each describes its load (free connections of its MAX_CONNECTIONS) as it starts.
    const [roomy, tight, far] = [await at("eu-west", 5000), await at("eu-west", 200), await at("us-east", 10_000)];
    const exited = draining!.kill("SIGTERM");
    const moves = await Promise.all(pair.map((p) => p.moving)).catch((error: Error) => {
      const lines = [draining!, roomy!, tight!, far!].flatMap((n) =>
        n.logs
          .filter((l) => Number(l.level) >= 30 && !/connected|queued|ready check|ready;/.test(String(l.msg)))
          .map((l) => `${n.nodeId} ${String(l.msg)} ${JSON.stringify(l.err ?? l.matchId ?? "")}`),
      );
      throw new Error(`${error.message}\n${lines.join("\n")}`);
    });
    for (const move of moves) expect(move).toMatchObject({ matchId: pair[0]!.matchId, host: { node: roomy!.nodeId, url: roomy!.url, region: "eu-west" } });
    await eventually(() => pair.every((p) => p.client.url === roomy!.url && (p.client.lastState?.tick ?? 0) > 0), 20_000, "both play on at the roomy node");
    const tick = pair[0]!.client.lastState!.tick;
    await eventually(() => (pair[0]!.client.lastState?.tick ?? 0) > tick + 10, 20_000, "the match ticks there");
    expect((await within(exited, 30_000, "the draining node exited")).code).toBe(0);
    const handed = draining!.logs.find((l) => l.msg === "match handed over: its players move");
    expect(handed).toMatchObject({ matchId: pair[0]!.matchId, to: roomy!.nodeId });
    expect(roomy!.logs.some((l) => l.matchId === pair[0]!.matchId && /adopted from a draining host/.test(String(l.msg)))).toBe(true);
    for (const other of [tight!, far!]) expect(other.logs.some((l) => l.matchId === pair[0]!.matchId)).toBe(false);
    nodes.splice(nodes.indexOf(draining!), 1);
  }, 120_000);
});
