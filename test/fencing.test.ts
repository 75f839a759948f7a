import pino from "pino";
import { afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import { MatchResults } from "../game-rooms/match-results.ts";
import { FaultProxy } from "../harness/index.ts";
import { DEFAULT_RULES, elo, redisStore, type MatchmakingStore, type MatchResult, type Rated } from "../matchmaker/index.ts";
import { openRedis, type RedisClient } from "../server/redis.ts";
import { testPrefix } from "./support/servers.ts";
import { deleteKeys, STORES } from "./support/stores.ts";

const E1200: Rated = { rating: 1200, mu: 1200, sigma: 0 };
const GAME = "pong";
const MODE = "ranked";

/** A running match of `a` and `b` hosted by `host` as the store knows it, with a first snapshot. */
async function running(store: MatchmakingStore, a: string, b: string, host: string): Promise<string> {
  const now = Date.now();
  await store.heartbeat(host, now);
  for (const [i, id] of [a, b].entries()) {
    await store.openSession(GAME, id, host, i + 1, now);
    await store.enqueue({ ticketId: `t-${id}`, playerId: id, name: id, game: GAME, mode: MODE }, now, E1200);
  }
  const [match] = await store.pair(GAME, MODE, now, DEFAULT_RULES, [`m-${a}`]);
  for (const id of [a, b]) await store.markReady(GAME, match!.matchId, id, { node: host, now, leaseMs: 60_000 });
  expect(await store.saveSnapshots(GAME, host, [{ matchId: match!.matchId, snapshot: '{"v":1}', epoch: 1 }])).toEqual([]);
  return match!.matchId;
}

/** The end of that match as a host with this claim records it: `winner` wins, ranked. */
function result(matchId: string, host: string, epoch: number, winner: string, loser: string, points: number): MatchResult {
  const ratings = { [winner]: { rating: 1200 + points, mu: 1200 + points, sigma: 0 }, [loser]: { rating: 1200 - points, mu: 1200 - points, sigma: 0 } };
  const end = { matchId, reason: "win" as const, winner, ratings: { [winner]: 1200 + points, [loser]: 1200 - points } };
  const entry = (playerId: string, opponent: string) => ({
    playerId,
    name: playerId,
    rating: ratings[playerId]!.rating,
    entry: {
      matchId,
      mode: MODE,
      opponent: { playerId: opponent, name: opponent },
      result: playerId === winner ? ("win" as const) : ("loss" as const),
      ratingAfter: ratings[playerId]!.rating,
      endedAt: Date.now(),
    },
  });
  return {
    matchId,
    mode: MODE,
    claim: { host, epoch },
    ratings,
    guestTtlMs: 60_000,
    end,
    archive: {
      replay: { matchId, game: GAME, mode: MODE, seed: 1, tickRate: 30, players: [], inputs: [], end: { reason: "win", winner, tick: 1 } },
      replayTtlMs: 60_000,
      ranked: true,
      players: [entry(winner, loser), entry(loser, winner)],
    },
  };
}

describe.each(STORES)("fencing of host writes ($name)", (kind) => {
  let store: MatchmakingStore;
  let dispose: () => Promise<void>;
  beforeEach(async () => {
    ({ store, dispose } = await kind.create());
  });
  afterEach(() => dispose());

  it("a host whose match was adopted can neither end it, nor snapshot it, nor write its ratings or archive", async () => {
    const matchId = await running(store, "a", "b", "h");
    expect(await store.getMatch(GAME, matchId)).toMatchObject({ state: "playing", host: "h", epoch: 1 });
    const adoption = await store.adoptMatch(GAME, matchId, "n2", "h", Date.now() + 60_000);
    expect(adoption).toMatchObject({ match: { host: "n2", epoch: 2 }, snapshot: '{"v":1}' });

    // the stale host comes back and ends the match as it saw it: refused, nothing written
    expect((await store.finishMatch(GAME, result(matchId, "h", 1, "a", "b", 50))).outcome).toBe("refused");
    expect(await store.endMatch(GAME, matchId, { end: result(matchId, "h", 1, "a", "b", 50).end, host: "h", claim: { host: "h", epoch: 1 } })).toBeNull();
    expect(await store.saveSnapshots(GAME, "h", [{ matchId, snapshot: "stale", epoch: 1 }])).toEqual([matchId]);
    expect(await store.getMatch(GAME, matchId)).toMatchObject({ state: "playing", host: "n2", epoch: 2 });
    expect(await store.getRating(GAME, MODE, "a", E1200)).toEqual(E1200);
    expect(await store.history(GAME, "a")).toEqual([]);
    expect(await store.replay(GAME, matchId)).toBeNull();

    // the adopter's end lands, once
    expect((await store.finishMatch(GAME, result(matchId, "n2", 2, "b", "a", 20))).outcome).toBe("recorded");
    expect(await store.getMatch(GAME, matchId)).toBeNull();
    expect((await store.getRating(GAME, MODE, "b", E1200)).rating).toBe(1220);
    expect((await store.history(GAME, "b")).map((e) => e.result)).toEqual(["win"]);
    // and the stale host still cannot: its end is refused after the adopter's too
    expect((await store.finishMatch(GAME, result(matchId, "h", 1, "a", "b", 50))).outcome).toBe("refused");
    expect((await store.getRating(GAME, MODE, "a", E1200)).rating).toBe(1180);
    // a match the store never knew (or lost with its data): nothing written
    expect((await store.finishMatch(GAME, result("m-lost", "h", 1, "a", "b", 50))).outcome).toBe("unknown");
    expect((await store.getRating(GAME, MODE, "a", E1200)).rating).toBe(1180);
  });

  it("a match a reaper ended (its host's lease lapsed) refuses its host's later end", async () => {
    const matchId = await running(store, "a", "b", "h");
    const aborted = { matchId, reason: "aborted" as const, winner: null, ratings: { a: 1200, b: 1200 } };
    expect(await store.endMatch(GAME, matchId, { end: aborted, claim: { host: "h", epoch: 1 } })).not.toBeNull();
    expect((await store.finishMatch(GAME, result(matchId, "h", 1, "a", "b", 50))).outcome).toBe("refused");
    expect(await store.history(GAME, "a")).toEqual([]);
  });

  it("the same host adopting its match back holds a newer epoch: its own older claim is refused", async () => {
    const matchId = await running(store, "a", "b", "h");
    await store.adoptMatch(GAME, matchId, "n2", "h", Date.now() + 60_000);
    expect(await store.saveSnapshots(GAME, "n2", [{ matchId, snapshot: '{"v":2}', epoch: 2 }])).toEqual([]);
    expect(await store.adoptMatch(GAME, matchId, "h", "n2", Date.now() + 60_000)).toMatchObject({ match: { host: "h", epoch: 3 } });
    expect(await store.saveSnapshots(GAME, "h", [{ matchId, snapshot: "old room", epoch: 1 }])).toEqual([matchId]);
    expect((await store.finishMatch(GAME, result(matchId, "h", 1, "a", "b", 50))).outcome).toBe("refused");
    expect((await store.finishMatch(GAME, result(matchId, "h", 3, "a", "b", 50))).outcome).toBe("recorded");
  });

  it("ratings, history and leaderboard count change once per match, however often the end is sent", async () => {
    // five matches make `a` enter the leaderboard with a count of exactly 5
    for (let i = 0; i < 5; i++) {
      const matchId = await running(store, "a", `o${i}`, "h");
      const end = result(matchId, "h", 1, "a", `o${i}`, 10 + i);
      expect((await store.finishMatch(GAME, end)).outcome).toBe("recorded");
      // a retry of the same end (another request id: the first reply was lost, or the host retried)
      expect((await store.finishMatch(GAME, end)).outcome).toBe("already");
      expect((await store.finishMatch(GAME, end)).outcome).toBe("already");
      // a reaper's abort of the same match after it ended changes nothing either
      expect(await store.endMatch(GAME, matchId, { end: end.end, claim: { host: "h", epoch: 1 } })).toBeNull();
    }
    expect(await store.history(GAME, "a")).toHaveLength(5);
    expect(await store.history(GAME, "o0")).toHaveLength(1);
    expect(await store.leaderboard(GAME, MODE, 10)).toEqual([{ rank: 1, playerId: "a", name: "a", rating: 1214, matches: 5 }]);
    expect((await store.getRating(GAME, MODE, "o4", E1200)).rating).toBe(1186);
  });
});

/** Through a proxy that cuts the node's connection right after the end reached Redis: ioredis re-sends it. */
describe("an end recorded through a cut connection is recorded once", () => {
  let proxy: FaultProxy;
  let client: RedisClient;
  let direct: RedisClient;
  let store: MatchmakingStore;
  let prefix: string;

  beforeEach(async () => {
    const target = new URL(inject("redisUrl"));
    proxy = await FaultProxy.start({ host: target.hostname, port: Number(target.port) });
    client = openRedis(proxy.url(), false, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => 50 });
    client.on("error", () => undefined);
    direct = openRedis(inject("redisUrl"), false, {});
    prefix = testPrefix();
    store = redisStore(client, prefix, [GAME]);
    await new Promise<void>((resolve) => client.once("ready", () => resolve()));
  });
  afterEach(async () => {
    await deleteKeys(direct, prefix);
    client.disconnect();
    direct.disconnect();
    await proxy.close();
  });

  it("the re-sent script, a retry with a new request id, and the host's retry loop each leave one history entry and one leaderboard count", async () => {
    const log = pino({ level: "silent" });
    const results = new MatchResults(store, elo(1200, 32), 60_000, log);
    // Redis knows the script already (EVALSHA runs it, rather than answering NOSCRIPT)
    const warm = await running(store, "w1", "w2", "h");
    expect((await results.record(GAME, result(warm, "h", 1, "w1", "w2", 5))).outcome).toBe("recorded");

    const matchId = await running(store, "a", "b", "h");
    const cut = proxy.cutAfterCommand('"claim"');
    expect((await results.record(GAME, result(matchId, "h", 1, "a", "b", 30))).outcome).toBe("recorded");
    await cut;
    expect(proxy.cuts).toBe(1);
    // the host retries with a new request id (it did not hear the answer, as after a cut)
    expect((await store.finishMatch(GAME, result(matchId, "h", 1, "a", "b", 30))).outcome).toBe("already");
    const lbn = `${prefix}:{${GAME}}:lbn:${GAME}:${MODE}`;
    expect(await direct.hget(lbn, "a")).toBe("1");
    expect(await direct.llen(`${prefix}:{${GAME}}:hist:${GAME}:a`)).toBe(1);
    expect(await direct.hget(`${prefix}:{${GAME}}:rt:${GAME}:${MODE}`, "a")).toBe("1230 1230 0");

    // a cut before the answer came back (Redis unreachable): kept, retried at the next renewal, written once
    const second = await running(store, "a", "c", "h");
    const cutOff = new Promise<void>((resolve) => client.once("reconnecting", () => resolve()));
    proxy.down(1000);
    await cutOff;
    const back = new Promise<void>((resolve) => client.once("ready", () => resolve()));
    expect((await results.record(GAME, result(second, "h", 1, "a", "c", 7))).outcome).toBe("pending");
    expect(results.isPending(second)).toBe(true);
    await back;
    await results.retry();
    await results.retry();
    expect(results.isPending(second)).toBe(false);
    expect(await direct.hget(lbn, "a")).toBe("2");
    expect(await direct.llen(`${prefix}:{${GAME}}:hist:${GAME}:a`)).toBe(2);
  });
});
