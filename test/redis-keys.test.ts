import { Redis } from "ioredis";
import { afterEach, describe, expect, inject, it } from "vitest";
import type { MatchEnd, MatchFound, MatchStart } from "../protocol/index.ts";
import { closeAllClients, eventually, waitFor } from "./support/clients.ts";
import { Player, winTictactoe } from "./support/players.ts";
import { spawnNode, stopAll, testPrefix, testSecret, type ChildNode } from "./support/servers.ts";

const nodes: ChildNode[] = [];
afterEach(async () => {
  closeAllClients();
  await stopAll(nodes.splice(0));
});

/** Plays one ranked tictactoe match between two queued players to a win of the first. */
async function playOnce(x: Player, o: Player): Promise<void> {
  const found = Promise.all([x, o].map((p) => waitFor<MatchFound>(p.socket, "match:found", 10_000)));
  expect(await x.send("queue:join", { mode: "ranked" })).toMatchObject({ ok: true });
  expect(await o.send("queue:join", { mode: "ranked" })).toMatchObject({ ok: true });
  const { matchId } = (await found)[0]!;
  const started = Promise.all([x, o].map((p) => waitFor<MatchStart>(p.socket, "match:start")));
  const ended = Promise.all([x, o].map((p) => waitFor<MatchEnd>(p.socket, "match:end", 10_000)));
  for (const p of [x, o]) await p.send("match:ready", { matchId });
  const [sx] = await started;
  const [first, second] = sx!.seat === 0 ? [x, o] : [o, x];
  await winTictactoe(matchId, first, second);
  await ended;
}

describe("Redis holds nothing forever", () => {
  it("after a churn of guests and nodes, the keys left are back to the idle baseline", async () => {
    const prefix = testPrefix();
    const env = {
      ENGINE: "uws",
      REDIS_URL: inject("redisUrl"),
      REDIS_PREFIX: prefix,
      ARENA_SECRET: testSecret(),
      MATCHMAKER_INTERVAL_MS: "50",
      TICKET_TTL_MS: "2000",
      HOST_LEASE_MS: "1500",
      GUEST_TOKEN_TTL: "5",
      REPLAY_TTL: "2",
      // a pair whose ratings drift apart still pairs at once
      WIN_CHANCE_WINDOW: "0.5",
      WIN_CHANCE_WINDOW_MAX: "0.5",
    };
    const redis = new Redis(inject("redisUrl"));
    /** The keys under the prefix, but for request ids and matcher leases (each lives seconds). */
    const keys = async () => (await redis.keys(`${prefix}:*`)).filter((k) => !/:req:|:matcher:/.test(k)).sort();
    /** Waits for what expires within a minute (ended matches' `fin`, request ids) and a guest sweep or two. */
    const settle = (what: string, baseline?: string[]) =>
      eventually(
        async () => {
          const now = await keys();
          return baseline ? JSON.stringify(now) === JSON.stringify(baseline) : !now.some((k) => /:(fin|gr|hist|replay|lbn|lbname|lb|p|t|m):/.test(k));
        },
        120_000,
        what,
      ).catch(async (error: Error) => {
        throw new Error(`${error.message}; keys: ${JSON.stringify(await keys())}`);
      });
    try {
      const home = await spawnNode(env);
      nodes.push(home);
      // warm up: what an idle deployment keeps once anything was played (the queue modes, recent
      // waits: both bounded by the games' modes), the rest gone once the guests' TTLs ran out
      const [a, b] = [await new Player("tictactoe", "A").join(home.url), await new Player("tictactoe", "B").join(home.url)];
      await playOnce(a, b);
      const pong = await new Player("pong", "Pong").join(home.url);
      expect(await pong.send("queue:join", {})).toMatchObject({ ok: true });
      expect(await pong.send("queue:leave", {})).toMatchObject({ ok: true });
      pong.socket.close();
      a.socket.close();
      b.socket.close();
      await settle("the warm-up's guests, matches and replays gone");
      const baseline = await keys();

      // churn: two more nodes, ten guests in five ranked pairs (each pair plays five: on the leaderboard),
      // a queued guest and a guest mid-match on nodes that are then killed
      nodes.push(...(await Promise.all([spawnNode(env), spawnNode(env)])));
      const [, n1, n2] = nodes as [ChildNode, ChildNode, ChildNode];
      for (let pair = 0; pair < 5; pair++) {
        const urls = [home.url, n1.url, n2.url];
        const x = await new Player("tictactoe", `X${pair}`).join(urls[pair % 3]!);
        const o = await new Player("tictactoe", `O${pair}`).join(urls[(pair + 1) % 3]!);
        for (let round = 0; round < 5; round++)
          await playOnce(x, o).catch((error: Error) => {
            throw new Error(`pair ${pair}, round ${round}: ${error.message}`);
          });
        x.socket.close();
        o.socket.close();
      }
      const lb = await (await fetch(`${home.url}/v1/leaderboard?game=tictactoe&mode=ranked`)).json();
      // on the board: at least the last pair (earlier guests' 5-second ratings may have expired already)
      expect((lb as unknown[]).length).toBeGreaterThanOrEqual(2);
      const queued = await new Player("pong", "Queued").join(n1.url);
      expect(await queued.send("queue:join", {})).toMatchObject({ ok: true });
      const [p, q] = [await new Player("tictactoe", "P").join(n2.url), await new Player("tictactoe", "Q").join(n2.url)];
      const found = waitFor<MatchFound>(p.socket, "match:found");
      await p.send("queue:join", {});
      await q.send("queue:join", {});
      const { matchId } = await found;
      for (const player of [p, q]) await player.send("match:ready", { matchId });
      await Promise.all([n1.kill("SIGKILL"), n2.kill("SIGKILL")]);
      nodes.splice(1);

      await settle("every key of the churn gone: back to the baseline", baseline);
      expect(await keys()).toEqual(baseline);
      // and inside the per-node hashes, only the node still running
      expect(await redis.hkeys(`${prefix}:node-info`)).toEqual([home.nodeId]);
      for (const game of ["pong", "tictactoe"]) expect(await redis.hkeys(`${prefix}:{${game}}:nreg:${game}`)).toEqual([home.nodeId]);
    } finally {
      redis.disconnect();
    }
  }, 240_000);
});
