import pino from "pino";
import type { PlayerChannel } from "../matchmaker/index.ts";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HostLeases } from "../game-rooms/host-leases.ts";
import { MatchResults } from "../game-rooms/match-results.ts";
import { DEFAULT_RULES, elo, type MatchmakingStore, type MatchRef } from "../matchmaker/index.ts";
import { STORES } from "./support/stores.ts";

const E1200 = { rating: 1200, mu: 1200, sigma: 0 };

describe.each(STORES)("a host's own set of matches ($name)", (kind) => {
  let store: MatchmakingStore;
  let dispose: () => Promise<void>;
  beforeEach(async () => {
    ({ store, dispose } = await kind.create());
  });
  afterEach(() => dispose());

  /** A running match of two players, hosted by `n1` as far as the store knows. */
  async function started(a: string, b: string): Promise<string> {
    const now = Date.now();
    await store.heartbeat("n1", now);
    for (const [i, id] of [a, b].entries()) {
      await store.openSession("tictactoe", id, "n1", i + 1, now);
      await store.enqueue({ ticketId: `t-${id}`, playerId: id, name: id, game: "tictactoe", mode: "ranked" }, now, E1200);
    }
    const [match] = await store.pair("tictactoe", "ranked", now, DEFAULT_RULES, [`m-${a}`]);
    for (const id of [a, b]) await store.markReady("tictactoe", match!.matchId, id, { node: "n1", now, leaseMs: 60_000 });
    return match!.matchId;
  }

  it("a match it was chosen to host but never started ends aborted at the second look; the ones it runs are left alone", async () => {
    const running = await started("a", "b");
    const lost = await started("c", "d");
    const told: [string, string, unknown][] = [];
    const channel = { toPlayer: (game: string, playerId: string, event: string, payload: unknown) => told.push([playerId, event, payload]) };
    const log = pino({ level: "silent" });
    const leases = new HostLeases({
      node: "n1",
      store,
      results: new MatchResults(store, elo(1200, 32), 60_000, log),
      channel: channel as unknown as PlayerChannel,
      log,
      leaseMs: 60_000,
      hosted: (): MatchRef[] => [{ game: "tictactoe", matchId: running }],
      relinquish: () => undefined,
      delivered: () => [],
    });
    // a hand-over may be on its way: nothing happens at the first look
    await leases.reconcile(["tictactoe", "pong"]);
    expect(told).toEqual([]);
    expect((await store.getMatch("tictactoe", lost))?.state).toBe("playing");
    await leases.reconcile(["tictactoe", "pong"]);
    expect(await store.getMatch("tictactoe", lost)).toBeNull();
    expect(await store.getMatch("tictactoe", running)).toMatchObject({ state: "playing", host: "n1" });
    const end = { matchId: lost, reason: "aborted", winner: null, ratings: { c: 1200, d: 1200 } };
    expect(told).toEqual([
      ["c", "match:end", end],
      ["d", "match:end", end],
    ]);
    // both are free again
    expect((await store.enqueue({ ticketId: "t-c2", playerId: "c", name: "c", game: "tictactoe", mode: "ranked" }, Date.now(), E1200)).ticketId).toBe("t-c2");
    await leases.reconcile(["tictactoe", "pong"]);
    expect(told).toHaveLength(2);
  });
});
