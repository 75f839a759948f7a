import { afterEach, describe, expect, it } from "vitest";
import { replayMatch, type AnyGame } from "../game-rooms/index.ts";
import { rulesOf } from "./support/games.ts";
import { z } from "zod";
import { fetchHistory, fetchLeaderboard, fetchLiveMatches, fetchReplay } from "../clients/sdk/index.ts";
import {
  historyEntrySchema,
  leaderboardEntrySchema,
  liveMatchSchema,
  replaySchema,
  type HistoryEntry,
  type LeaderboardEntry,
  type LiveMatch,
  type MatchEnd,
  type MatchFound,
  type Replay,
  type StatePayload,
} from "../protocol/index.ts";
import { closeAllClients, eventually, waitFor } from "./support/clients.ts";
import { Player, winTictactoe } from "./support/players.ts";
import { redisEnv, spawnNode, testPrefix, testSecret, type ChildNode, type RedisKind } from "./support/servers.ts";

const nodes: ChildNode[] = [];
afterEach(async () => {
  closeAllClients();
  await Promise.all(nodes.map((n) => n.kill()));
  nodes.length = 0;
});

const get = async <T>(url: string): Promise<{ status: number; body: T }> => {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as T };
};

interface Played {
  matchId: string;
  end: MatchEnd;
  /** The states each player received, by player. */
  states: Map<string, StatePayload[]>;
}

/** Queues both, readies both, and plays one tictactoe match in which seat 0 wins on the top row. */
async function playTictactoe(a: Player, b: Player, onStarted?: (matchId: string) => Promise<void>): Promise<Played> {
  const found = Promise.all([waitFor<MatchFound>(a.socket, "match:found"), waitFor<MatchFound>(b.socket, "match:found")]);
  await a.send("queue:join", {});
  await b.send("queue:join", {});
  const [fa] = await found;
  const matchId = fa.matchId;
  const starts = [waitFor(a.socket, "match:start"), waitFor(b.socket, "match:start")];
  const ends = [waitFor<MatchEnd>(a.socket, "match:end"), waitFor<MatchEnd>(b.socket, "match:end")];
  a.states = [];
  b.states = [];
  await a.send("match:ready", { matchId });
  await b.send("match:ready", { matchId });
  await Promise.all(starts);
  await onStarted?.(matchId);
  const [x, o] = fa.seat === 0 ? [a, b] : [b, a];
  await winTictactoe(matchId, x, o, Date.now());
  const [end] = await Promise.all(ends);
  return { matchId, end: end!, states: new Map([a, b].map((p) => [p.playerId, [...p.states]])) };
}

/** Replays with the game's rules and checks every state a player saw against the replayed one at its tick. */
function checkReplay(game: AnyGame, replay: Replay, seen: StatePayload[], pick: (view: unknown) => unknown): ReturnType<typeof replayMatch> {
  const views = new Map<number, unknown>();
  const outcome = replayMatch(game, replay, ({ tick, view }) => views.set(tick, view));
  expect(seen.length).toBeGreaterThan(0);
  for (const state of seen) expect(pick(views.get(state.tick)), `tick ${state.tick}`).toEqual(pick(state.state));
  return outcome;
}

describe.each(["redis", "redis-cluster"] as const)("watching across two nodes (%s)", (redis: RedisKind) => {
  const env = (extra: Record<string, string> = {}) => ({
    ENGINE: "uws",
    ...redisEnv(redis),
    REDIS_PREFIX: testPrefix(),
    ARENA_SECRET: testSecret(),
    MATCHMAKER_INTERVAL_MS: "30",
    // the same two players meet again and again, whatever their predicted chances
    WIN_CHANCE_WINDOW: "0.5",
    ...extra,
  });

  it("live matches on every node; then each finished match's replay, both players' histories, and the leaderboard from the 5th ranked match", async () => {
    const shared = env();
    nodes.push(...(await Promise.all([spawnNode(shared), spawnNode(shared)])));
    const [a, b] = nodes as [ChildNode, ChildNode];
    const ann = await new Player("tictactoe", "Ann").join(a.url);
    const bob = await new Player("tictactoe", "Bob").join(b.url);
    const played: Played[] = [];
    for (let i = 0; i < 5; i++) {
      played.push(
        await playTictactoe(i % 2 ? bob : ann, i % 2 ? ann : bob, async (matchId) => {
          if (i > 0) return;
          for (const node of [a, b]) {
            const live = await get<LiveMatch[]>(`${node.url}/v1/matches?game=tictactoe`);
            expect(live.status).toBe(200);
            expect(live.body).toEqual([expect.objectContaining({ matchId, game: "tictactoe", mode: "ranked", spectators: 0, startedAt: expect.any(Number) })]);
            expect(live.body[0]!.players.map((p) => p.name).sort()).toEqual(["Ann", "Bob"]);
            expect(z.array(liveMatchSchema).safeParse(live.body).success).toBe(true);
          }
        }),
      );
      if (i === 3) expect((await get<LeaderboardEntry[]>(`${a.url}/v1/leaderboard?game=tictactoe`)).body).toEqual([]);
    }
    expect((await get<LiveMatch[]>(`${b.url}/v1/matches?game=tictactoe`)).body).toEqual([]);

    const tictactoe = rulesOf("tictactoe");
    for (const match of played) {
      const replay = await get<Replay>(`${b.url}/v1/matches/${match.matchId}/replay`);
      expect(replay.status).toBe(200);
      expect(replay.body).toMatchObject({
        matchId: match.matchId,
        game: "tictactoe",
        mode: "ranked",
        tickRate: 10,
        end: { reason: "win", winner: match.end.winner },
      });
      expect(replay.body.inputs.map((i) => (i.input as { cell: number }).cell)).toEqual([0, 3, 1, 4, 2]);
      const outcome = checkReplay(tictactoe, replay.body, match.states.get(ann.playerId)!, (view) => (view as { board: unknown }).board);
      expect(outcome).toEqual({ kind: "win", seat: 0 });
      expect(replay.body.players[0]!.playerId).toBe(match.end.winner);
    }

    const history = await get<HistoryEntry[]>(`${a.url}/v1/players/${ann.playerId}/matches?game=tictactoe`);
    expect(history.body.map((h) => h.matchId)).toEqual(played.map((m) => m.matchId).reverse());
    expect(history.body.map((h) => h.result)).toEqual(played.map((m) => (m.end.winner === ann.playerId ? "win" : "loss")).reverse());
    expect(history.body[0]).toMatchObject({ opponent: { playerId: bob.playerId, name: "Bob" }, ratingAfter: played[4]!.end.ratings[ann.playerId] });
    expect((await get(`${a.url}/v1/players/${ann.playerId}/matches?game=pong`)).body).toEqual([]);

    // the SDK's calls read the same, and every answer matches the protocol's schemas
    const [live, replayed, mine, best] = await Promise.all([
      fetchLiveMatches(a.url, "tictactoe"),
      fetchReplay(a.url, played[0]!.matchId),
      fetchHistory(b.url, bob.playerId, "tictactoe"),
      fetchLeaderboard(b.url, "tictactoe", { limit: 1 }),
    ]);
    expect(live).toEqual([]);
    expect(replaySchema.parse(replayed).matchId).toBe(played[0]!.matchId);
    expect(z.array(historyEntrySchema).parse(mine)).toHaveLength(5);
    expect(z.array(leaderboardEntrySchema).parse(best)).toHaveLength(1);
    await expect(fetchReplay(a.url, "m_unknown")).rejects.toMatchObject({ code: "UNKNOWN_MATCH" });
    const board = await get<LeaderboardEntry[]>(`${b.url}/v1/leaderboard?game=tictactoe&mode=ranked&limit=10`);
    const last = played[4]!.end.ratings;
    const expected = [ann, bob]
      .map((p) => ({ playerId: p.playerId, name: p.name, rating: last[p.playerId]!, matches: 5 }))
      .sort((x, y) => y.rating - x.rating)
      .map((row, i) => ({ rank: i + 1, ...row }));
    expect(board.body).toEqual(expected);

    expect((await get(`${a.url}/v1/matches/m_unknown/replay`)).status).toBe(404);
    expect((await get(`${a.url}/v1/matches?game=chess`)).status).toBe(400);
    expect((await get(`${a.url}/v1/leaderboard?limit=0`)).status).toBe(400);
  });

  it("GET /v1/regions lists the regions of live nodes, each with a URL; GET /v1/ping answers 204", async () => {
    const shared = env({ TICKET_TTL_MS: "1500" });
    nodes.push(
      ...(await Promise.all([spawnNode({ ...shared, REGION: "eu-west", PUBLIC_URL: "http://eu.example:3000" }), spawnNode({ ...shared, REGION: "us-east" })])),
    );
    const [a, b] = nodes as [ChildNode, ChildNode];
    const regions = async (url: string) =>
      ((await get<{ region: string; url: string }[]>(`${url}/v1/regions`)).body ?? []).sort((x, y) => x.region.localeCompare(y.region));
    await eventually(async () => (await regions(a.url)).length === 2, 5000, "both regions listed");
    expect(await regions(b.url)).toEqual([
      { region: "eu-west", url: "http://eu.example:3000" },
      { region: "us-east", url: "/" },
    ]);
    const ping = await fetch(`${a.url}/v1/ping`);
    expect(ping.status).toBe(204);
    expect(await ping.text()).toBe("");
    // a node that died leaves the list once it is no longer heard from
    await b.kill("SIGKILL");
    await eventually(async () => (await regions(a.url)).length === 1, 8000, "the dead node's region gone");
    expect((await regions(a.url))[0]!.region).toBe("eu-west");
  });

  it("a pong match's replay reproduces every state its players saw and its result; replays expire after REPLAY_TTL", async () => {
    nodes.push(await spawnNode(env({ PONG_POINTS: "2", PONG_BALL_SPEED: "1", REPLAY_TTL: "2" })));
    const [node] = nodes as [ChildNode];
    const left = await new Player("pong", "Lea").join(node.url);
    const right = await new Player("pong", "Ray").join(node.url);
    const found = Promise.all([waitFor<MatchFound>(left.socket, "match:found"), waitFor<MatchFound>(right.socket, "match:found")]);
    await left.send("queue:join", {});
    await right.send("queue:join", {});
    const [fl] = await found;
    const ended = waitFor<MatchEnd>(left.socket, "match:end", 20_000);
    // Both move their paddles now and then: the replay must apply the inputs at their ticks.
    let seq = 0;
    for (const p of [left, right]) {
      p.onState = (payload) => {
        if (payload.tick % 5 === 0) p.socket.emit("game:input", { matchId: payload.matchId, seq: ++seq, input: { dir: payload.tick % 10 ? 1 : -1 } });
      };
    }
    await left.send("match:ready", { matchId: fl.matchId });
    await right.send("match:ready", { matchId: fl.matchId });
    const end = await ended;
    const replay = await get<Replay>(`${node.url}/v1/matches/${fl.matchId}/replay`);
    expect(replay.body.inputs.length).toBeGreaterThan(2);
    const outcome = checkReplay(rulesOf("pong", { tickRate: 30, points: 2, ballSpeed: 1 }), replay.body, left.states, (view) => view);
    expect(outcome.kind).toBe("win");
    expect(replay.body.players[(outcome as { seat: 0 | 1 }).seat]!.playerId).toBe(end.winner);
    await eventually(async () => (await fetch(`${node.url}/v1/matches/${fl.matchId}/replay`)).status === 404, 5000, "the replay expired");
  });
});
