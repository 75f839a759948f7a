import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { MatchCancelled, MatchFound } from "../protocol/index.ts";
import { closeAllClients, connect, connectGuest, eventually, request, waitFor, type TestClient } from "./support/clients.ts";
import { NEW_PLAYER } from "./support/ratings.ts";
import { ENGINES, startServer, type InProcessServer } from "./support/servers.ts";

describe.each(ENGINES)("matchmaking through sockets on one node (%s)", (engine) => {
  let node: InProcessServer;
  beforeAll(async () => {
    node = await startServer({ ENGINE: engine, READY_TIMEOUT_MS: "800", MATCHMAKER_INTERVAL_MS: "20" });
  });
  afterAll(() => node.stop());
  afterEach(() => closeAllClients());

  const stats = async (socket: TestClient) => await request<{ queued: number; matches: number; players: number }>(socket, "stats", {});

  async function pairUp(game = "tictactoe") {
    const a = await connectGuest(node.url, game, "Ann");
    const b = await connectGuest(node.url, game, "Bob");
    const foundA = waitFor<MatchFound>(a.socket, "match:found");
    const foundB = waitFor<MatchFound>(b.socket, "match:found");
    expect(await request(a.socket, "queue:join", {})).toMatchObject({ ok: true, ticketId: expect.stringMatching(/^tk_/) });
    expect(await request(b.socket, "queue:join", { mode: "ranked" })).toMatchObject({ ok: true });
    return { a, b, found: await Promise.all([foundA, foundB]) };
  }

  it("pairs two players and tells both, with seats, players and readyBy", async () => {
    const before = Date.now();
    const { a, b, found } = await pairUp();
    const [fa, fb] = found;
    expect(fa.matchId).toBe(fb.matchId);
    expect(fa.game).toBe("tictactoe");
    expect([fa.seat, fb.seat].sort()).toEqual([0, 1]);
    expect(fa.players).toEqual(fb.players);
    expect(fa.players.map((p) => p.playerId).sort()).toEqual([a.player.playerId, b.player.playerId].sort());
    expect(fa.players.find((p) => p.playerId === a.player.playerId)).toEqual({ playerId: a.player.playerId, name: "Ann", rating: NEW_PLAYER });
    expect(fa.readyBy).toBeGreaterThanOrEqual(before + 800);
    expect(await request(a.socket, "queue:join", {})).toMatchObject({ ok: false, error: { code: "ALREADY_IN_MATCH" } });
    expect(await request(a.socket, "match:ready", { matchId: "m_nope" })).toMatchObject({ ok: false, error: { code: "UNKNOWN_MATCH" } });
    const c = await connectGuest(node.url, "tictactoe");
    expect(await request(c.socket, "match:ready", { matchId: fa.matchId })).toMatchObject({ ok: false, error: { code: "NOT_IN_MATCH" } });
    // stats estimates the time to a match from the recent waits; /metrics has the pairing's quality
    const answer = await request<{ timeToMatch?: { p50Ms: number; p95Ms: number; samples: number } }>(c.socket, "stats", {});
    expect(answer.ok && answer.timeToMatch).toMatchObject({ samples: expect.any(Number) });
    const estimate = answer.ok ? answer.timeToMatch! : { p50Ms: -1, p95Ms: -2, samples: 0 };
    expect(estimate.samples).toBeGreaterThanOrEqual(2);
    expect(estimate.p50Ms).toBeGreaterThanOrEqual(0);
    expect(estimate.p95Ms).toBeGreaterThanOrEqual(estimate.p50Ms);
    const metrics = await (await fetch(`${node.url}/metrics`)).text();
    expect(metrics).toMatch(/arena_pairing_win_chance_distance_count\{[^}]*game="tictactoe",mode="ranked",region="local"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/arena_time_to_pair_seconds_count\{[^}]*game="tictactoe",mode="ranked",region="local"[^}]*\} [1-9]/);
    expect(await request(a.socket, "match:ready", { matchId: fa.matchId })).toEqual({ ok: true });
    expect(await request(b.socket, "match:ready", { matchId: fa.matchId })).toEqual({ ok: true });
    const counts = await stats(a.socket);
    expect(counts).toMatchObject({ ok: true, queued: 0 });
    if (counts.ok) expect(counts.matches).toBeGreaterThanOrEqual(1);
  });

  it("answers ALREADY_QUEUED, and queue:leave tells whether a ticket was cancelled", async () => {
    const { socket } = await connectGuest(node.url, "pong");
    expect(await request(socket, "queue:join", { mode: "casual" })).toMatchObject({ ok: true });
    expect(await request(socket, "queue:join", { mode: "casual" })).toMatchObject({ ok: false, error: { code: "ALREADY_QUEUED" } });
    expect(await stats(socket)).toMatchObject({ ok: true, queued: 1 });
    expect(await request(socket, "queue:leave", {})).toEqual({ ok: true, cancelled: true });
    expect(await request(socket, "queue:leave", {})).toEqual({ ok: true, cancelled: false });
    expect(await stats(socket)).toMatchObject({ ok: true, queued: 0 });
  });

  it("cancels a missed ready check: the ready player is requeued, the other dropped", async () => {
    const { a, b, found } = await pairUp();
    const matchId = found[0].matchId;
    const cancelledA = waitFor<MatchCancelled>(a.socket, "match:cancelled", 3000);
    const cancelledB = waitFor<MatchCancelled>(b.socket, "match:cancelled", 3000);
    await request(a.socket, "match:ready", { matchId });
    expect(await cancelledA).toEqual({ matchId, reason: "ready_timeout", requeued: true });
    expect(await cancelledB).toEqual({ matchId, reason: "ready_timeout", requeued: false });
    expect(await request(a.socket, "queue:join", {})).toMatchObject({ ok: false, error: { code: "ALREADY_QUEUED" } });
    expect(await request(b.socket, "match:ready", { matchId })).toMatchObject({ ok: false, error: { code: "UNKNOWN_MATCH" } });
    await request(a.socket, "queue:leave", {});
  });

  it("cancels the ready check when the opponent disconnects", async () => {
    const { a, b, found } = await pairUp();
    const matchId = found[0].matchId;
    await request(a.socket, "match:ready", { matchId });
    const cancelled = waitFor<MatchCancelled>(a.socket, "match:cancelled");
    b.socket.close();
    expect(await cancelled).toEqual({ matchId, reason: "opponent_left", requeued: true });
    await request(a.socket, "queue:leave", {});
  });

  it("queue:leave during the ready check cancels it for both", async () => {
    const { a, b, found } = await pairUp();
    const matchId = found[0].matchId;
    const cancelledA = waitFor<MatchCancelled>(a.socket, "match:cancelled");
    const cancelledB = waitFor<MatchCancelled>(b.socket, "match:cancelled");
    expect(await request(b.socket, "queue:leave", {})).toEqual({ ok: true, cancelled: true });
    expect(await cancelledA).toEqual({ matchId, reason: "opponent_left", requeued: false });
    expect(await cancelledB).toEqual({ matchId, reason: "opponent_left", requeued: false });
  });

  it("a disconnect removes the ticket; a takeover keeps it", async () => {
    const { socket, player } = await connectGuest(node.url, "pong");
    const watcher = (await connectGuest(node.url, "pong")).socket;
    await request(socket, "queue:join", { mode: "casual" });
    const second = await connect(node.url, "pong", player.token);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await request(second, "queue:join", { mode: "casual" })).toMatchObject({ ok: false, error: { code: "ALREADY_QUEUED" } });
    second.close();
    await eventually(
      async () => {
        const answer = await stats(watcher);
        return answer.ok && answer.queued === 0;
      },
      3000,
      "ticket removed after disconnect",
    );
  });

  it("counts connected players in stats", async () => {
    const { socket } = await connectGuest(node.url, "pong");
    const answer = await stats(socket);
    expect(answer.ok && answer.players).toBeGreaterThanOrEqual(1);
  });
});
