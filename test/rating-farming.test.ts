import { afterEach, describe, expect, it } from "vitest";
import type { HistoryEntry, LeaderboardEntry, MatchEnd, MatchFound, MatchStart } from "../protocol/index.ts";
import { closeAllClients, waitFor } from "./support/clients.ts";
import { Player, winTictactoe } from "./support/players.ts";
import { displayAfter, NEW_PLAYER } from "./support/ratings.ts";
import { redisEnv, spawnNode, stopAll, testPrefix, testSecret, type ChildNode } from "./support/servers.ts";

const nodes: ChildNode[] = [];
afterEach(async () => {
  closeAllClients();
  await stopAll(nodes.splice(0));
});

const getJson = async <T>(url: string): Promise<T> => (await (await fetch(url)).json()) as T;

/** `owner` makes a private code (tictactoe, ranked), `friend` joins it, both ready: the match as each sees it. */
async function privateMatch(owner: Player, friend: Player): Promise<{ matchId: string; starts: Map<Player, MatchStart>; ends: Promise<MatchEnd[]> }> {
  const created = await owner.send("private:create", { mode: "ranked" });
  if (!created.ok) throw new Error(JSON.stringify(created));
  const found = waitFor<MatchFound>(owner.socket, "match:found");
  expect(await friend.send("private:join", { code: created.code })).toMatchObject({ ok: true });
  const { matchId } = await found;
  const started = [owner, friend].map((p) => waitFor<MatchStart>(p.socket, "match:start"));
  const ends = Promise.all([owner, friend].map((p) => waitFor<MatchEnd>(p.socket, "match:end", 30_000)));
  ends.catch(() => undefined);
  for (const p of [owner, friend]) expect(await p.send("match:ready", { matchId })).toMatchObject({ ok: true });
  const [a, b] = await Promise.all(started);
  return {
    matchId,
    starts: new Map([
      [owner, a!],
      [friend, b!],
    ]),
    ends,
  };
}

describe.each(["memory", "redis"] as const)("rating farming through direct matches (%s store)", (store) => {
  async function node(extra: Record<string, string> = {}): Promise<ChildNode> {
    const env = { ENGINE: "uws", ARENA_SECRET: testSecret(), ...(store === "redis" ? { ...redisEnv("redis"), REDIS_PREFIX: testPrefix() } : {}), ...extra };
    const started = await spawnNode(env);
    nodes.push(started);
    return started;
  }

  it("five private matches forfeited by fresh guests move no rating and put nobody on the leaderboard", async () => {
    const { url } = await node();
    const winner = await new Player("tictactoe", "Winner").join(url);
    for (let i = 0; i < 5; i++) {
      const farmer = await new Player("tictactoe", `Farmer${i}`).join(url);
      const match = await privateMatch(winner, farmer);
      expect(await farmer.send("match:leave", { matchId: match.matchId })).toMatchObject({ ok: true });
      const [end] = await match.ends;
      expect(end).toMatchObject({ reason: "forfeit", winner: winner.playerId, ratings: { [winner.playerId]: NEW_PLAYER } });
      farmer.socket.close();
    }
    const history = await getJson<HistoryEntry[]>(`${url}/v1/players/${winner.playerId}/matches?game=tictactoe`);
    expect(history.map((e) => [e.result, e.ratingAfter])).toEqual(Array(5).fill(["win", NEW_PLAYER]));
    expect(await getJson<LeaderboardEntry[]>(`${url}/v1/leaderboard?game=tictactoe&mode=ranked`)).toEqual([]);
  });

  it("with RANKED_DIRECT_MATCHES a direct match played out is rated, and a forfeit in its first seconds still is not", async () => {
    const { url } = await node({ RANKED_DIRECT_MATCHES: "true" });
    const ann = await new Player("tictactoe", "Ann").join(url);
    const bob = await new Player("tictactoe", "Bob").join(url);
    // a forfeit at once: no rating moves
    const early = await privateMatch(ann, bob);
    expect(await bob.send("match:leave", { matchId: early.matchId })).toMatchObject({ ok: true });
    expect((await early.ends)[0]).toMatchObject({
      reason: "forfeit",
      winner: ann.playerId,
      ratings: { [ann.playerId]: NEW_PLAYER, [bob.playerId]: NEW_PLAYER },
    });
    // played to a win: rated like a ranked match (the positive control)
    const played = await privateMatch(ann, bob);
    const [x, o] = played.starts.get(ann)!.seat === 0 ? [ann, bob] : [bob, ann];
    await winTictactoe(played.matchId, x, o);
    const [end] = await played.ends;
    const [won, lost] = displayAfter([1, 2]);
    expect(end).toMatchObject({ reason: "win", winner: x.playerId, ratings: { [x.playerId]: won, [o.playerId]: lost } });
  });
});
