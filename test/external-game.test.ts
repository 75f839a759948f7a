import { pathToFileURL } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connect, fetchGuestToken, fetchHistory, fetchLeaderboard, fetchLiveMatches, fetchReplay, type ArenaClient } from "../clients/sdk/index.ts";
import { instantiate, replayMatch, type GameDefinition } from "../game-rooms/index.ts";
import type { GameInfo, MatchEnd, MatchStart, StatePayload } from "../protocol/index.ts";
import { eventually } from "./support/clients.ts";
import { writeReflexProject } from "./support/reflex-game.ts";
import { redisEnv, spawnNode, stopAll, testPrefix, testSecret, type ChildNode, type RedisKind } from "./support/servers.ts";

type View = { signal: boolean; over: boolean; mine: number | null; theirs: number | null };
type Reflex = { input: { press: true }; view: View };

let project: Awaited<ReturnType<typeof writeReflexProject>> | undefined;
let file = "";
let reflex: GameDefinition;
beforeAll(async () => {
  project = await writeReflexProject();
  file = project.file;
  reflex = ((await import(pathToFileURL(file).href)) as { default: GameDefinition }).default;
});
afterAll(() => project?.remove());

const nodes: ChildNode[] = [];
const clients: ArenaClient<Reflex>[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await stopAll(nodes);
});

interface Seat {
  client: ArenaClient<Reflex>;
  playerId: string;
  token: string;
  states: StatePayload<View>[];
  ends: MatchEnd[];
}

/** A player on `url` who presses `delayMs` after seeing the signal, and records what it sees. */
async function player(url: string, token: string, playerId: string, delayMs: number): Promise<Seat> {
  const client = connect<Reflex>({ url, game: "reflex", token, autoReady: true, reconnect: false });
  clients.push(client);
  const seat: Seat = { client, playerId, token, states: [], ends: [] };
  let pressed = "";
  client.on("state", (payload) => {
    seat.states.push(payload);
    const view = payload.state;
    if (view.signal && view.mine === null && !view.over && pressed !== payload.matchId) {
      pressed = payload.matchId;
      setTimeout(() => client.input({ press: true }).catch(() => undefined), delayMs);
    }
  });
  client.on("end", (end) => seat.ends.push(end));
  await client.connected();
  return seat;
}

/** Until the end: neither seat's states show the other's press, and the spectator's show none. */
function checkHidden(seats: Seat[], spectated: StatePayload<View>[], matchId: string): void {
  for (const seat of seats) for (const s of seat.states) if (s.matchId === matchId && !s.state.over) expect(s.state.theirs).toBeNull();
  for (const s of spectated) expect([s.state.mine, s.state.theirs]).toEqual([null, null]);
}

const STORES: ("memory" | RedisKind)[] = ["memory", "redis", "redis-cluster"];

describe.each(STORES)("a game from outside the repository, loaded by path from GAMES (%s)", (store) => {
  it("plays through the SDK: queue, ready check, per-seat views, spectating, replay, history, leaderboard; a host's death and resume", async () => {
    const env = {
      GAMES: `pong,${file}`,
      MATCHMAKER_INTERVAL_MS: "30",
      SNAPSHOT_INTERVAL_MS: "300",
      HOST_LEASE_MS: "1000",
      // The same two players meet again and again, whatever their ratings become.
      WIN_CHANCE_WINDOW: "0.5",
      WIN_CHANCE_WINDOW_MAX: "0.5",
      REFLEX_SIGNAL_MIN_S: store === "memory" ? "0.5" : "2.5",
      REFLEX_SIGNAL_MAX_S: store === "memory" ? "1" : "3",
      ...(store === "memory" ? {} : { ...redisEnv(store), ARENA_SECRET: testSecret(), REDIS_PREFIX: testPrefix() }),
    };
    const a = await spawnNode(env);
    nodes.push(a);
    const b = store === "memory" ? a : await spawnNode(env);
    if (b !== a) nodes.push(b);
    const info = ((await (await fetch(`${a.url}/v1/games`)).json()) as GameInfo[]).find((g) => g.name === "reflex");
    expect(info).toMatchObject({ kind: "realtime", tickRate: 20, seats: 2, viewPerSeat: true, modes: ["ranked", "casual"] });

    const annId = await fetchGuestToken(a.url, "Ann");
    const bobId = await fetchGuestToken(a.url, "Bob");
    const cid = await fetchGuestToken(b.url, "Cid");
    let ann = await player(a.url, annId.token, annId.playerId, 0);
    let bob = await player(a.url, bobId.token, bobId.playerId, 300);
    const spectator = connect<Reflex>({ url: b.url, game: "reflex", token: cid.token, reconnect: false });
    clients.push(spectator);
    await spectator.connected();
    const spectated: StatePayload<View>[] = [];
    spectator.on("state", (payload) => spectated.push(payload));

    // Match 1: watched from the other node; in Redis set-ups its host dies mid-match.
    const starts: MatchStart<View>[] = [];
    ann.client.on("start", (start) => starts.push(start));
    await ann.client.queue();
    await bob.client.queue();
    await eventually(() => starts.length === 1, 15_000, "match 1 starts");
    const { matchId } = starts[0]!;
    await eventually(async () => (await fetchLiveMatches(b.url, "reflex")).some((m) => m.matchId === matchId), 10_000, "the match is listed");
    const watched = await spectator.spectate(matchId);
    expect(watched.state).toMatchObject({ mine: null, theirs: null });
    if (store !== "memory") {
      await eventually(() => ann.states.length >= 10, 10_000, "half a second of play, snapshots written");
      const tickAtKill = ann.states.at(-1)!.tick;
      await a.kill("SIGKILL");
      ann.client.close();
      bob.client.close();
      // Both come back through the live node: their seats are resumed from the adopted snapshot.
      const resumed: MatchStart<View>[] = [];
      ann = await player(b.url, annId.token, annId.playerId, 0);
      bob = await player(b.url, bobId.token, bobId.playerId, 300);
      for (const p of [ann, bob]) p.client.on("resumed", (r) => resumed.push(r));
      await eventually(() => resumed.length === 2, 15_000, "both players resumed");
      expect(resumed.map((r) => r.matchId)).toEqual([matchId, matchId]);
      expect(Math.min(...resumed.map((r) => r.tick))).toBeGreaterThan(0);
      expect(Math.max(...resumed.map((r) => r.tick))).toBeLessThanOrEqual(tickAtKill + 20);
    }
    await eventually(() => ann.ends.length === 1 && bob.ends.length === 1, 15_000, "match 1 ends");
    expect(ann.ends[0]).toMatchObject({ matchId, reason: "win", winner: annId.playerId });
    checkHidden([ann, bob], spectated, matchId);
    // At the end each seat learns the other's press.
    expect(bob.states.filter((s) => s.matchId === matchId).at(-1)?.state.theirs).toEqual(expect.any(Number));
    await eventually(() => spectated.length > 0, 5000, "the spectator saw states");

    // The replay, run with the game's own rules (the settings it ran with), gives the same winner.
    const replay = await fetchReplay(b.url, matchId);
    const outcome = replayMatch(instantiate(reflex, {}, replay.rules ?? {}), replay);
    expect(outcome).toEqual({ kind: "win", seat: ann.ends[0]!.winner === replay.players[0]!.playerId ? 0 : 1 });

    // Four more ranked matches: both players reach the leaderboard (5 ranked matches).
    for (let round = 2; round <= 5; round++) {
      await ann.client.queue();
      await bob.client.queue();
      await eventually(() => ann.ends.length === round && bob.ends.length === round, 15_000, `match ${round} ends`);
    }
    for (const seat of [ann, bob]) expect(new Set(seat.ends.map((e) => e.matchId)).size).toBe(seat.ends.length);
    const history = await fetchHistory(b.url, annId.playerId, "reflex");
    expect(history.map((h) => h.matchId)).toEqual(expect.arrayContaining([matchId]));
    expect(history.filter((h) => h.result === "win").length).toBe(5);
    const board = await fetchLeaderboard(b.url, "reflex", { mode: "ranked" });
    expect(board.map((r) => r.playerId)).toEqual([annId.playerId, bobId.playerId]);
    expect(board[0]).toMatchObject({ rank: 1, matches: 5 });

    if (store !== "memory") {
      // A node that loads other games refuses to join this deployment, and says why.
      const refused = await spawnNode({ ...env, GAMES: "pong" }).then(
        (node) => {
          nodes.push(node);
          return "";
        },
        (error: Error) => error.message,
      );
      expect(refused).toMatch(/serves the games pong,reflex.*every node of a deployment must load the same GAMES/);
    }
  }, 120_000);
});
