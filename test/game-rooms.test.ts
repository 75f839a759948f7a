import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { MatchEnd, MatchFound } from "../protocol/index.ts";
import type { PongView } from "../game-rooms/games/pong/index.ts";
import type { TictactoeView as Board } from "../game-rooms/games/tictactoe/index.ts";
import { closeAllClients, eventually, waitFor } from "./support/clients.ts";
import { histogramCount, Player, startMatch, type StartedMatch } from "./support/players.ts";
import { displayAfter, NEW_PLAYER } from "./support/ratings.ts";
import { ENGINES, startServer, type InProcessServer } from "./support/servers.ts";

/** Plays tictactoe moves in order, alternating seats, each answered with its tick. */
async function play(match: StartedMatch, cells: number[]): Promise<void> {
  let seq = 0;
  for (const [i, cell] of cells.entries()) {
    const player = match.seats[i % 2]!;
    const answer = await player.send("game:input", { matchId: match.matchId, seq: ++seq, input: { cell } });
    expect(answer).toMatchObject({ ok: true, tick: expect.any(Number) });
  }
}

describe.each(ENGINES)("game rooms on one node (%s)", (engine) => {
  let node: InProcessServer;
  beforeAll(async () => {
    node = await startServer({
      ENGINE: engine,
      MATCHMAKER_INTERVAL_MS: "20",
      RECONNECT_GRACE_MS: "1500",
      PONG_BALL_SPEED: "2.5",
      PONG_TICK_RATE: "60",
      TICTACTOE_TICK_RATE: "20",
    });
  });
  afterAll(() => node.stop());
  afterEach(() => closeAllClients());

  it("plays tictactoe to a win: states follow the moves, ratings move, both may queue again", async () => {
    const match = await startMatch("tictactoe", [node.url, node.url]);
    expect(match.starts[0]).toMatchObject({ matchId: match.matchId, seat: 0, tickRate: 20, state: { board: Array(9).fill(null), turn: 0 } });
    expect(match.starts[1].seat).toBe(1);
    await play(match, [0, 3, 1, 4, 2]);
    const [endA, endB] = await match.ends;
    const [x, o] = match.seats;
    expect(endA).toEqual(endB);
    const [won, lost] = displayAfter([1, 2]);
    expect(endA).toEqual({ matchId: match.matchId, reason: "win", winner: x.playerId, ratings: { [x.playerId]: won, [o.playerId]: lost } });
    const last = x.states.at(-1)!.state as Board;
    expect(last.board).toEqual([0, 0, 0, 1, 1, null, null, null, null]);
    // both are free to queue again (in different modes, so that they do not pair), then leave
    expect(await x.send("queue:join", {})).toMatchObject({ ok: true });
    expect(await o.send("queue:join", { mode: "casual" })).toMatchObject({ ok: true });
    expect(await x.send("queue:leave", {})).toEqual({ ok: true, cancelled: true });
    expect(await o.send("queue:leave", {})).toEqual({ ok: true, cancelled: true });
  });

  it("the games declare their modes (GET /v1/games, the first is the default); a casual match never changes ratings", async () => {
    const games = (await (await fetch(`${node.url}/v1/games`)).json()) as { name: string; modes: string[] }[];
    expect(games.map((g) => [g.name, g.modes])).toEqual([
      ["pong", ["ranked", "casual"]],
      ["tictactoe", ["ranked", "casual"]],
      ["connect-four", ["ranked", "casual"]],
    ]);
    const match = await startMatch("tictactoe", [node.url, node.url], "casual");
    await play(match, [0, 3, 1, 4, 2]);
    const [end] = await match.ends;
    const [x, o] = match.seats;
    expect(end).toMatchObject({ reason: "win", winner: x.playerId, ratings: { [x.playerId]: NEW_PLAYER, [o.playerId]: NEW_PLAYER } });
    // and the next ranked match starts from the same ratings
    const found = waitFor<MatchFound>(x.socket, "match:found");
    await x.send("queue:join", {});
    await o.send("queue:join", {});
    expect((await found).players.map((p) => p.rating)).toEqual([NEW_PLAYER, NEW_PLAYER]);
    expect((await found).mode).toBe("ranked");
  });

  it("plays tictactoe to a draw", async () => {
    const match = await startMatch("tictactoe", [node.url, node.url]);
    await play(match, [0, 1, 2, 4, 3, 5, 7, 6, 8]);
    const [end] = await match.ends;
    expect(end).toMatchObject({ reason: "draw", winner: null });
    // a draw leaves mu alone and narrows sigma: both display ratings rise alike
    expect(Object.values(end.ratings)).toEqual(displayAfter([1, 1]));
  });

  it("rejects illegal and out-of-turn moves without changing the state", async () => {
    const match = await startMatch("tictactoe", [node.url, node.url]);
    const [x, o] = match.seats;
    const { matchId } = match;
    expect(await o.send("game:input", { matchId, seq: 1, input: { cell: 4 } })).toMatchObject({ ok: false, error: { code: "NOT_YOUR_TURN" } });
    expect(await x.send("game:input", { matchId, seq: 1, input: { cell: 9 } })).toMatchObject({ ok: false, error: { code: "ILLEGAL_MOVE" } });
    expect(await x.send("game:input", { matchId, seq: 2, input: { cell: -1 } })).toMatchObject({ ok: false, error: { code: "ILLEGAL_MOVE" } });
    expect(await x.send("game:input", { matchId, seq: 3, input: { cell: 1.5 } })).toMatchObject({ ok: false, error: { code: "BAD_REQUEST" } });
    expect(await x.send("game:input", { matchId, seq: 4, input: { dir: 1 } })).toMatchObject({ ok: false, error: { code: "BAD_REQUEST" } });
    expect(await x.send("game:input", { matchId, seq: 5, input: { cell: 4 } })).toMatchObject({ ok: true });
    expect(await o.send("game:input", { matchId, seq: 6, input: { cell: 4 } })).toMatchObject({ ok: false, error: { code: "ILLEGAL_MOVE" } });
    expect(await x.send("game:input", { matchId, seq: 7, input: { cell: 0 } })).toMatchObject({ ok: false, error: { code: "NOT_YOUR_TURN" } });
    const outsider = await new Player("tictactoe", "Eve").join(node.url);
    expect(await outsider.send("game:input", { matchId, seq: 1, input: { cell: 0 } })).toMatchObject({ ok: false, error: { code: "NOT_IN_MATCH" } });
    expect(await outsider.send("match:leave", { matchId })).toMatchObject({ ok: false, error: { code: "NOT_IN_MATCH" } });
    expect(await outsider.send("chat:send", { matchId, text: "hi" })).toMatchObject({ ok: false, error: { code: "NOT_IN_MATCH" } });
    expect(await x.send("game:input", { matchId: "m_unknown", seq: 8, input: { cell: 0 } })).toMatchObject({ ok: false, error: { code: "UNKNOWN_MATCH" } });
    await eventually(() => (x.state?.state as Board | undefined)?.turn === 1, 2000, "state after the legal move");
    expect((x.state!.state as Board).board).toEqual([null, null, null, null, 0, null, null, null, null]);
    await x.send("match:leave", { matchId });
    await match.ends;
  });

  it("ignores duplicate and stale sequence numbers", async () => {
    const match = await startMatch("tictactoe", [node.url, node.url]);
    const [x, o] = match.seats;
    const { matchId } = match;
    expect(await x.send("game:input", { matchId, seq: 10, input: { cell: 0 } })).toMatchObject({ ok: true });
    expect(await o.send("game:input", { matchId, seq: 1, input: { cell: 4 } })).toMatchObject({ ok: true });
    expect(await x.send("game:input", { matchId, seq: 10, input: { cell: 1 } })).toMatchObject({ ok: true });
    expect(await x.send("game:input", { matchId, seq: 3, input: { cell: 1 } })).toMatchObject({ ok: true });
    await eventually(() => (x.state?.state as Board | undefined)?.board[4] === 1, 2000, "o's move");
    expect((x.state!.state as Board).board).toEqual([0, null, null, null, 1, null, null, null, null]);
    expect((x.state!.state as Board).turn).toBe(0);
    await o.send("match:leave", { matchId });
    expect((await match.ends)[0]).toMatchObject({ reason: "forfeit", winner: x.playerId });
  });

  it("relays chat to both players, cleaned, and rate-limits it", async () => {
    const match = await startMatch("tictactoe", [node.url, node.url]);
    const [x, o] = match.seats;
    const heard = waitFor<{ from: string; name: string; text: string; matchId: string; at: number }>(o.socket, "chat");
    expect(await x.send("chat:send", { matchId: match.matchId, text: "  good\u0007 luck  " })).toEqual({ ok: true });
    expect(await heard).toMatchObject({ matchId: match.matchId, from: x.playerId, name: x.name, text: "good luck" });
    const answers = [];
    for (let i = 0; i < 8; i++) answers.push(await x.send("chat:send", { matchId: match.matchId, text: `spam ${i}` }));
    expect(answers.some((a) => !a.ok && (a as { error: { code: string } }).error.code === "RATE_LIMITED")).toBe(true);
    await x.send("match:leave", { matchId: match.matchId });
    await match.ends;
  });

  it("forfeits on the move clock", async () => {
    const slow = await startServer({ ENGINE: engine, MATCHMAKER_INTERVAL_MS: "20", TICTACTOE_MOVE_SECONDS: "0.4" });
    try {
      const match = await startMatch("tictactoe", [slow.url, slow.url]);
      const [, o] = match.seats;
      const [end] = await match.ends;
      expect(end).toMatchObject({ reason: "forfeit", winner: o.playerId });
    } finally {
      await slow.stop();
    }
  });

  it("plays a full pong match to 5 points; inputs move the paddle; every acknowledged state reaches the RTT metrics", async () => {
    const before = await histogramCount(node.url, "arena_state_ack_rtt_seconds");
    const match = await startMatch("pong", [node.url, node.url]);
    const [left, right] = match.seats;
    let seq = 0;
    let lastDir = 0;
    left.onState = (payload) => {
      const view = payload.state as PongView;
      const diff = view.ball.y - view.paddles[0];
      const dir = Math.abs(diff) < 0.02 ? 0 : diff > 0 ? 1 : -1;
      if (dir !== lastDir) {
        lastDir = dir;
        left.send("game:input", { matchId: match.matchId, seq: ++seq, input: { dir } }).catch(() => undefined);
      }
    };
    const [end] = await match.ends;
    expect(end.reason).toBe("win");
    const final = left.states.at(-1)!.state as PongView;
    expect(Math.max(...final.score)).toBe(5);
    expect(end.winner).toBe(final.score[0] === 5 ? left.playerId : right.playerId);
    expect(left.states.some((s) => (s.state as PongView).paddles[0] !== 0.5)).toBe(true);
    expect((right.states.at(-1)!.state as PongView).paddles[1]).toBe(0.5);
    expect(left.states.map((s) => s.tick)).toEqual([...left.states.map((s) => s.tick)].sort((a, b) => a - b));
    await eventually(async () => (await histogramCount(node.url, "arena_state_ack_rtt_seconds")) - before === left.acked + right.acked, 3000, "acks counted");
  });

  it("resumes a reconnecting player with the full state, within the grace period", async () => {
    const match = await startMatch("tictactoe", [node.url, node.url]);
    const [x, o] = match.seats;
    await play(match, [4]);
    x.socket.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await x.connect(node.url);
    await eventually(() => x.resumed.length === 1, 3000, "match:resumed");
    const back = x.resumed[0];
    expect(back).toMatchObject({
      matchId: match.matchId,
      seat: 0,
      tickRate: 20,
      state: { board: [null, null, null, null, 0, null, null, null, null], turn: 1 },
    });
    expect(await o.send("game:input", { matchId: match.matchId, seq: 5, input: { cell: 0 } })).toMatchObject({ ok: true });
    expect(await x.send("game:input", { matchId: match.matchId, seq: 6, input: { cell: 1 } })).toMatchObject({ ok: true });
    const ended = Promise.all([waitFor<MatchEnd>(x.socket, "match:end"), waitFor<MatchEnd>(o.socket, "match:end")]);
    expect(await x.send("match:leave", { matchId: match.matchId })).toEqual({ ok: true });
    for (const end of await ended) expect(end).toMatchObject({ reason: "forfeit", winner: o.playerId });
  });

  it("ends the match as abandoned when the player does not come back in time", async () => {
    const match = await startMatch("tictactoe", [node.url, node.url]);
    const [x, o] = match.seats;
    const ended = waitFor<MatchEnd>(o.socket, "match:end", 5000);
    x.socket.close();
    const end = await ended;
    expect(end).toMatchObject({ reason: "abandoned", winner: o.playerId });
    expect(end.ratings[o.playerId]).toBe(displayAfter([1, 2])[0]);
    expect(await o.send("queue:join", {})).toMatchObject({ ok: true });
  });
});

describe("RATING_SYSTEM=elo", () => {
  let node: InProcessServer;
  beforeAll(async () => {
    node = await startServer({ RATING_SYSTEM: "elo", MATCHMAKER_INTERVAL_MS: "20", TICTACTOE_TICK_RATE: "20" });
  });
  afterAll(() => node.stop());
  afterEach(() => closeAllClients());

  it("keeps Elo for comparison: new players at DEFAULT_RATING, K 32", async () => {
    const match = await startMatch("tictactoe", [node.url, node.url]);
    await play(match, [0, 3, 1, 4, 2]);
    const [end] = await match.ends;
    const [x, o] = match.seats;
    expect(end.ratings).toEqual({ [x.playerId]: 1216, [o.playerId]: 1184 });
  });
});
