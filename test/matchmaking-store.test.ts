import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_RULES, memoryStore, openSkill, type MatchArchive, type MatchmakingStore, type PairingRules, type Rated } from "../matchmaker/index.ts";
import { STORES } from "./support/stores.ts";

const T0 = 1_000_000;
const RULES: PairingRules = { ...DEFAULT_RULES, initialWindow: 100, widenPerSecond: 50, maxWindow: 0, readyTimeoutMs: 10_000, ticketTtlMs: 15_000 };
const HOST = { node: "n1", now: T0, leaseMs: 3000 };
/** An Elo rating as the store keeps it (no uncertainty). */
const elo = (rating: number): Rated => ({ rating, mu: rating, sigma: 0 });
const E1200 = elo(1200);
const ids = (n: number, tag = "m") => Array.from({ length: n }, (_, i) => `${tag}${i}`);

describe.each(STORES)("matchmaking store conformance: $name", (kind) => {
  let store: MatchmakingStore;
  let dispose: () => Promise<void>;
  let seq = 0;
  beforeEach(async () => {
    ({ store, dispose } = await kind.create());
    await store.heartbeat("n1", T0);
  });
  afterEach(() => dispose());

  /** Opens a session on n1 and queues the player with the given rating at `at`. */
  async function join(playerId: string, rating: number, at = T0, mode = "default", game = "pong") {
    await store.openSession(game, playerId, "n1", ++seq, T0);
    await store.setRatings(game, mode, { [playerId]: elo(rating) }, 60_000);
    return store.enqueue({ ticketId: `t-${playerId}`, playerId, name: playerId.toUpperCase(), game, mode }, at, E1200);
  }
  const pairAll = (now = T0, rules = RULES, mode = "default") => store.pair("pong", mode, now, rules, ids(8, `m${now}-`));
  const pairedIds = (made: { players: { playerId: string }[] }[]) => made.map((m) => m.players.map((p) => p.playerId).sort());

  describe("sessions (SessionStore): connections, live nodes, dead-node sweeps, event numbers", () => {
    it("expires tickets of a node that stopped refreshing; they are never paired after that", async () => {
      await join("a", 1200, T0);
      await store.heartbeat("n2", T0);
      await store.openSession("pong", "b", "n2", ++seq, T0);
      await store.enqueue({ ticketId: "t-b", playerId: "b", name: "B", game: "pong", mode: "default" }, T0, E1200);
      await store.heartbeat("n1", T0 + 20_000);
      // n2 is silent since T0: b's ticket is dead and must not be paired with a
      expect(await pairAll(T0 + 20_000)).toEqual([]);
      const { expired } = await store.sweepDeadNodes(T0 + 20_000, RULES.ticketTtlMs);
      expect(expired.map((t) => t.ticketId)).toEqual(["t-b"]);
      expect(await store.counts("pong")).toEqual({ queued: 1, matches: 0, players: 1 });
      expect(await store.sweepDeadNodes(T0 + 20_000, RULES.ticketTtlMs)).toEqual({ expired: [], orphans: [] });
      // b comes back through n1 and can queue again
      await store.openSession("pong", "b", "n1", ++seq, T0);
      await store.enqueue({ ticketId: "t-b2", playerId: "b", name: "B", game: "pong", mode: "default" }, T0 + 20_000, E1200);
      expect(pairedIds(await pairAll(T0 + 20_000))).toEqual([["a", "b"]]);
    });

    it("sweeps a node that opened sessions but never sent a heartbeat", async () => {
      await store.openSession("pong", "z", "n3", ++seq, T0);
      await store.enqueue({ ticketId: "t-z", playerId: "z", name: "Z", game: "pong", mode: "default" }, T0, E1200);
      expect(await store.sweepDeadNodes(T0 + 1000, RULES.ticketTtlMs)).toEqual({ expired: [], orphans: [] });
      expect((await store.sweepDeadNodes(T0 + 20_000, RULES.ticketTtlMs)).expired.map((t) => t.ticketId)).toEqual(["t-z"]);
    });

    it("reports players of a dead node who were in a match", async () => {
      await join("a", 1200);
      await store.heartbeat("n2", T0);
      await store.openSession("pong", "b", "n2", ++seq, T0);
      await store.enqueue({ ticketId: "t-b", playerId: "b", name: "B", game: "pong", mode: "default" }, T0, E1200);
      const [match] = await pairAll(T0);
      await store.heartbeat("n1", T0 + 20_000);
      expect(await store.sweepDeadNodes(T0 + 20_000, RULES.ticketTtlMs)).toEqual({
        expired: [],
        orphans: [{ game: "pong", playerId: "b", matchId: match!.matchId }],
      });
    });

    it("closing a session removes its ticket; a replaced session's close does not", async () => {
      await join("a", 1200);
      const first = seq;
      await store.heartbeat("n2", T0);
      await store.openSession("pong", "a", "n2", ++seq, T0);
      expect(await store.closeSession("pong", "a", first)).toBeNull();
      expect((await store.counts("pong")).queued).toBe(1);
      await store.openSession("pong", "a", "n1", first, T0);
      expect(await store.closeSession("pong", "a", seq)).toEqual({ ticket: true, ticketId: "t-a" });
      expect(await store.counts("pong")).toEqual({ queued: 0, matches: 0, players: 0 });
      expect(await store.closeSession("pong", "a", seq)).toBeNull();
    });

    it("closing the session of a player in a ready check reports the match", async () => {
      await join("a", 1200);
      await join("b", 1200);
      const [match] = await pairAll();
      expect(await store.closeSession("pong", "a", seq - 1)).toEqual({ ticket: false, match: { matchId: match!.matchId, state: "ready_check" } });
      await store.markReady("pong", match!.matchId, "b", HOST);
      const cancelled = await store.cancelReadyCheck("pong", match!.matchId, "opponent_left", "a");
      expect(cancelled?.seats.map((s) => s.requeued)).toEqual([false, true]);
    });

    it("numbers each event about a player's place in order, with their node: found, start, resumed, end; cancelled; a session starts after the last", async () => {
      const opened = await store.openSession("pong", "a", "n1", ++seq, T0);
      await join("a", 1200);
      await join("b", 1200);
      await store.openSession("pong", "b", "n2", ++seq, T0);
      const [match] = await pairAll();
      const [a0, b0] = match!.stamps!;
      // found: the next number after the one the session started at, and the player's node
      expect(a0).toEqual({ seq: opened.seq + 1, node: "n1" });
      expect(b0!.node).toBe("n2");
      await store.markReady("pong", match!.matchId, "a", HOST);
      const { match: started } = await store.markReady("pong", match!.matchId, "b", HOST);
      expect(started.stamps).toEqual([
        { seq: a0!.seq + 1, node: "n1" },
        { seq: b0!.seq + 1, node: "n2" },
      ]);
      // the record keeps the start's numbers for the host that sends it
      expect((await store.getMatch("pong", match!.matchId))!.stamps!.map((s) => s.seq)).toEqual([a0!.seq + 1, b0!.seq + 1]);
      await store.saveSnapshots("pong", "n1", [{ matchId: match!.matchId, snapshot: "{}" }]);
      await store.claimLapsedHosts(T0 + HOST.leaseMs, 10);
      const adoption = await store.adoptMatch("pong", match!.matchId, "n3", "n1", T0 + 9000);
      expect(adoption && "match" in adoption ? adoption.match.stamps!.map((s) => s.seq) : null).toEqual([a0!.seq + 2, b0!.seq + 2]);
      // a's connection moves to n4: the end goes there, and a new connection starts after the last number
      const moved = await store.openSession("pong", "a", "n4", ++seq, T0);
      expect(moved.seq).toBe(a0!.seq + 2);
      const ended = await store.endMatch("pong", match!.matchId, { end: { matchId: match!.matchId, reason: "aborted", winner: null, ratings: {} } });
      expect(ended).toEqual([
        { seq: a0!.seq + 3, node: "n4" },
        { seq: b0!.seq + 3, node: "n2" },
      ]);
      // a second ready check, cancelled: the cancellation is numbered too; a player without a session has no node
      await join("a", 1200);
      await join("b", 1200);
      const [second] = await pairAll(T0, RULES);
      await store.closeSession("pong", "b", seq - 5);
      const cancelled = await store.cancelReadyCheck("pong", second!.matchId, "ready_timeout");
      expect(cancelled!.seats.map((s) => s.stamp.seq)).toEqual([a0!.seq + 5, b0!.seq + 5]);
      // the store tells how long ago the numbers between two were stamped (those it keeps)
      const ages = await store.stampAges("pong", "a", a0!.seq, a0!.seq + 5);
      expect(ages).toHaveLength(4);
      for (const age of ages) expect(age).toBeGreaterThanOrEqual(0);
      expect(await store.stampAges("pong", "a", a0!.seq + 5, a0!.seq + 9)).toEqual([]);
      expect(await store.stampAges("pong", "nobody", 0, 10)).toEqual([]);
    });

    it("keeps the times of a player's last 16 numbers: a 17th pushes out the oldest", async () => {
      const seqs: number[] = [];
      // Each ready check made and cancelled numbers both players twice (found, cancelled).
      for (let round = 0; round < 9; round++) {
        await join("a", 1200, T0 + round);
        await join("b", 1200, T0 + round);
        const [match] = await pairAll(T0 + round);
        seqs.push(match!.stamps![0].seq);
        const cancelled = await store.cancelReadyCheck("pong", match!.matchId, "ready_timeout");
        seqs.push(cancelled!.seats[0]!.stamp.seq);
      }
      expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
      const last = seqs[seqs.length - 1]!;
      // 18 numbers stamped: the last 16 are kept
      expect(await store.stampAges("pong", "a", 0, last + 1)).toHaveLength(16);
      expect(await store.stampAges("pong", "a", last - 16, last + 1)).toHaveLength(16);
      expect(await store.stampAges("pong", "a", 0, last - 15)).toEqual([]);
    });

    it("opening a session names the node of the session it replaced, and refuses an older generation as stale", async () => {
      expect(await store.openSession("pong", "s", "n1", 10, T0)).toEqual({ match: null, seq: expect.any(Number) });
      expect(await store.openSession("pong", "s", "n1", 11, T0)).toEqual({ match: null, seq: expect.any(Number) });
      expect(await store.openSession("pong", "s", "n2", 12, T0)).toEqual({ match: null, replaced: "n1", seq: expect.any(Number) });
      expect(await store.openSession("pong", "s", "n1", 9, T0)).toEqual({ match: null, stale: true, seq: expect.any(Number) });
      expect(await store.sessionNode("pong", "s")).toBe("n2");
      expect(await store.openSession("tictactoe", "s", "n1", 13, T0)).toEqual({ match: null, seq: expect.any(Number) });
    });
  });

  describe("queues (QueueStore): tickets, pairing passes, the matcher lease", () => {
    it("queues a player once: ALREADY_QUEUED on a second join, leave removes the ticket", async () => {
      const ticket = await join("a", 1300);
      expect(ticket).toMatchObject({ ticketId: "t-a", playerId: "a", name: "A", game: "pong", mode: "default", rating: 1300, enqueuedAt: T0 });
      await expect(store.enqueue({ ticketId: "t2", playerId: "a", name: "A", game: "pong", mode: "ranked" }, T0, E1200)).rejects.toMatchObject({
        code: "ALREADY_QUEUED",
      });
      expect(await store.counts("pong")).toEqual({ queued: 1, matches: 0, players: 1 });
      expect(await store.dequeue("pong", "a")).toEqual({ ticket: true, ticketId: "t-a" });
      expect(await store.dequeue("pong", "a")).toEqual({ ticket: false });
      expect(await store.counts("pong")).toEqual({ queued: 0, matches: 0, players: 1 });
    });

    it("keeps games and modes apart", async () => {
      await join("a", 1200, T0, "default", "pong");
      await join("b", 1200, T0, "default", "tictactoe");
      await join("c", 1200, T0, "ranked", "pong");
      expect(await pairAll()).toEqual([]);
      expect(await store.pair("pong", "ranked", T0, RULES, ids(2))).toEqual([]);
      expect((await store.modes("pong")).sort()).toEqual(["default", "ranked"]);
      expect(await store.counts("tictactoe")).toMatchObject({ queued: 1 });
    });

    it("pairs players inside each other's window and leaves the others queued", async () => {
      await join("a", 1200);
      await join("b", 1250, T0 + 1);
      await join("c", 1500, T0 + 2);
      const made = await pairAll(T0 + 2);
      expect(pairedIds(made)).toEqual([["a", "b"]]);
      const [match] = made;
      expect(match).toMatchObject({ game: "pong", mode: "default", state: "ready_check", readyBy: T0 + 2 + 10_000 });
      expect(match!.players.map((p) => [p.playerId, p.name, p.rating, p.ticketId, p.enqueuedAt, p.ready])).toEqual([
        ["a", "A", 1200, "t-a", T0, false],
        ["b", "B", 1250, "t-b", T0 + 1, false],
      ]);
      expect(await store.counts("pong")).toEqual({ queued: 1, matches: 1, players: 3 });
      await expect(store.enqueue({ ticketId: "x", playerId: "a", name: "A", game: "pong", mode: "default" }, T0, E1200)).rejects.toMatchObject({
        code: "ALREADY_IN_MATCH",
      });
    });

    it("chooses the closest rating, then the oldest ticket", async () => {
      await join("a", 1200, T0);
      await join("far", 1290, T0 + 1);
      await join("near", 1210, T0 + 2);
      expect(pairedIds(await pairAll(T0 + 3))).toEqual([["a", "near"]]);
      await join("x", 1500, T0 + 10);
      await join("newer", 1450, T0 + 12);
      await join("older", 1550, T0 + 11);
      expect(pairedIds(await pairAll(T0 + 13))).toEqual([["older", "x"]]);
    });

    it("widens windows with the time waited, up to the cap", async () => {
      await join("a", 1200, T0);
      await join("b", 1400, T0);
      expect(await pairAll(T0 + 1000)).toEqual([]);
      expect(await pairAll(T0 + 1999, { ...RULES, maxWindow: 150 })).toEqual([]);
      expect(await pairAll(T0 + 10_000, { ...RULES, maxWindow: 150 })).toEqual([]);
      expect(pairedIds(await pairAll(T0 + 2000))).toEqual([["a", "b"]]);
    });

    it("pairs only when each lies inside the other's window", async () => {
      await join("old", 1200, T0);
      await join("fresh", 1350, T0 + 10_000);
      // old's window is 600 by then, fresh's only 100: no pair
      expect(await pairAll(T0 + 10_000)).toEqual([]);
      // one second later fresh's window is 150
      expect(pairedIds(await pairAll(T0 + 11_000))).toEqual([["fresh", "old"]]);
    });

    it("pairs around one ticket when asked (the join path)", async () => {
      await join("a", 1200, T0);
      await join("b", 1900, T0);
      await join("c", 1910, T0 + 5);
      const made = await store.pair("pong", "default", T0 + 5, RULES, ids(1), "t-c");
      expect(pairedIds(made)).toEqual([["b", "c"]]);
      expect(await store.pair("pong", "default", T0 + 5, RULES, ids(1, "z"), "t-nope")).toEqual([]);
    });

    it("does bounded work: at most maxPairsPerPass matches per pass", async () => {
      for (let i = 0; i < 10; i++) await join(`p${i}`, 1200, T0 + i);
      const made = await store.pair("pong", "default", T0 + 10, { ...RULES, maxPairsPerPass: 2 }, ids(8));
      expect(made).toHaveLength(2);
      expect(pairedIds(made)).toEqual([
        ["p0", "p1"],
        ["p2", "p3"],
      ]);
      expect((await store.counts("pong")).queued).toBe(6);
    });

    it("a queue's matcher lease: one holder at a time, renewed by it, taken over once it lapses", async () => {
      expect(await store.claimMatcher("pong", "default", "n1", T0, 1000)).toBe(true);
      expect(await store.claimMatcher("pong", "default", "n2", T0 + 10, 1000)).toBe(false);
      expect(await store.claimMatcher("pong", "casual", "n2", T0 + 10, 1000)).toBe(true);
      expect(await store.claimMatcher("tictactoe", "default", "n2", T0 + 10, 1000)).toBe(true);
      expect(await store.claimMatcher("pong", "default", "n1", T0 + 500, 1000)).toBe(true);
    });

    it("OpenSkill pairing: on predicted win chance, a wide sigma reaches further, the window widens with the wait", async () => {
      const os: PairingRules = { ...RULES, model: openSkill().model, initialChance: 0.05, chancePerSecond: 0.01, maxChance: 0.3 };
      // the same mu gap (1.5): sure players' predicted chance is 0.5616, unsure ones' (new players) 0.5285
      const rate = async (id: string, mode: string, mu: number, sigma: number) => {
        await store.openSession("pong", id, "n1", ++seq, T0);
        await store.setRatings("pong", mode, { [id]: { rating: 0, mu, sigma } }, 60_000);
        await store.enqueue({ ticketId: `t-${id}`, playerId: id, name: id, game: "pong", mode }, T0, E1200);
      };
      await rate("sure1", "ranked", 25, 1);
      await rate("sure2", "ranked", 26.5, 1);
      await rate("new1", "casual", 25, 25 / 3);
      await rate("new2", "casual", 26.5, 25 / 3);
      const made = await store.pair("pong", "casual", T0, os, ids(2, "c"));
      expect(pairedIds(made)).toEqual([["new1", "new2"]]);
      // the match keeps each player's skill (the host moves it when the match ends)
      expect(made[0]!.players.map((p) => p.mu)).toEqual([25, 26.5]);
      for (const p of made[0]!.players) expect(p.sigma).toBeCloseTo(25 / 3, 10);
      // 0.0616 from 0.5: not within 0.05 + 0.01 a second until 1.16 s of waiting
      expect(await store.pair("pong", "ranked", T0, os, ids(2, "r0"))).toEqual([]);
      expect(await store.pair("pong", "ranked", T0 + 1000, os, ids(2, "r1"))).toEqual([]);
      expect(pairedIds(await store.pair("pong", "ranked", T0 + 1200, os, ids(2, "r2")))).toEqual([["sure1", "sure2"]]);
    });

    it("OpenSkill pairing: of several candidates, the one whose predicted chance is nearest 0.5; far ones never under the cap", async () => {
      const os: PairingRules = { ...RULES, model: openSkill().model, initialChance: 0.1, chancePerSecond: 0.05, maxChance: 0.2 };
      for (const [id, mu] of [
        ["a", 25],
        ["far", 40],
        ["near", 25.4],
        ["mid", 26.5],
      ] as const) {
        await store.openSession("pong", id, "n1", ++seq, T0);
        await store.setRatings("pong", "ranked", { [id]: { rating: 0, mu, sigma: 1 } }, 60_000);
        await store.enqueue({ ticketId: `t-${id}`, playerId: id, name: id, game: "pong", mode: "ranked" }, id === "a" ? T0 - 1 : T0, E1200);
      }
      expect(pairedIds(await store.pair("pong", "ranked", T0, os, ids(1, "x")))).toEqual([["a", "near"]]);
      // 13.5 mu apart is a predicted 0.90: beyond the 0.2 cap however long it waits
      expect(await store.pair("pong", "ranked", T0 + 600_000, os, ids(2, "y"))).toEqual([]);
    });

    it("regions: two players whose only shared region is far apart pair once both latency windows cover it, hosted there", async () => {
      const rules: PairingRules = { ...RULES, initialLatencyMs: 80, latencyPerSecondMs: 40, maxLatencyMs: 400 };
      for (const [node, region] of [
        ["n1", "eu-west"],
        ["n2", "us-east"],
        ["n3", "ap-south"],
      ] as const) {
        await store.heartbeat(node, T0);
        await store.describeNode(node, { region });
      }
      const queue = async (id: string, node: string, mode: string, latencies?: Record<string, number>) => {
        await store.openSession("pong", id, node, ++seq, T0);
        await store.enqueue({ ticketId: `t-${id}`, playerId: id, name: id, game: "pong", mode, ...(latencies ? { latencies } : {}) }, T0, E1200);
      };
      await queue("eu", "n1", "default", { "eu-west": 20, "us-east": 180 });
      await queue("ap", "n3", "default", { "ap-south": 25, "us-east": 170 });
      const pairAt = (ms: number, mode = "default") => store.pair("pong", mode, T0 + ms, rules, ids(4, `r${mode}${ms}-`));
      expect(await pairAt(0)).toEqual([]);
      // 80 + 40 a second: 160 ms after 2 s (not yet), 184 ms after 2.6 s
      expect(await pairAt(2000)).toEqual([]);
      const [match] = await pairAt(2600);
      expect(match).toMatchObject({ host: "n2", region: "us-east", latencyMs: [170, 180] });
      expect(match!.players.map((p) => p.playerId)).toEqual(["ap", "eu"]);
      expect(await store.getMatch("pong", match!.matchId)).toMatchObject({ host: "n2", region: "us-east", latencyMs: [170, 180] });

      // without latencies a player is near its node's region only: players of two regions never meet
      await queue("quiet-eu", "n1", "casual");
      await queue("quiet-us", "n2", "casual");
      expect(await pairAt(10_000, "casual")).toEqual([]);
      await queue("quiet-eu2", "n1", "casual");
      const [local] = await pairAt(10_000, "casual");
      expect(local).toMatchObject({ host: "n1", region: "eu-west", latencyMs: [0, 0] });
      // a region where no node runs hosts nothing, however near both players are
      await queue("m1", "n1", "mars", { mars: 5 });
      await queue("m2", "n3", "mars", { mars: 5 });
      expect(await pairAt(10_000, "mars")).toEqual([]);
      // a ticket put back after a missed ready check keeps its latencies
      await store.markReady("pong", match!.matchId, "eu", HOST);
      await store.cancelReadyCheck("pong", match!.matchId, "ready_timeout");
      await queue("ap2", "n3", "default", { "us-east": 150 });
      const [again] = await pairAt(2600);
      expect(again).toMatchObject({ host: "n2", region: "us-east" });
      expect(again!.players.map((p) => p.playerId).sort()).toEqual(["ap2", "eu"]);
    });

    it("treats hostile ids as plain strings", async () => {
      for (const id of ["__proto__", "constructor", "toString"]) await join(id, 1200);
      expect((await store.counts("pong")).queued).toBe(3);
      expect(await pairAll()).toHaveLength(1);
      expect(await store.getMatch("pong", "__proto__")).toBeNull();
    });
  });

  describe("matches (MatchStore): ready checks, ends, host leases, snapshots, adoption", () => {
    it("runs a ready check: both ready starts the match once", async () => {
      await join("a", 1200);
      await join("b", 1200);
      const [match] = await pairAll();
      await expect(store.markReady("pong", "nope", "a", HOST)).rejects.toMatchObject({ code: "UNKNOWN_MATCH" });
      await expect(store.markReady("tictactoe", match!.matchId, "a", HOST)).rejects.toMatchObject({ code: "UNKNOWN_MATCH" });
      await expect(store.markReady("pong", match!.matchId, "intruder", HOST)).rejects.toMatchObject({ code: "NOT_IN_MATCH" });
      expect((await store.markReady("pong", match!.matchId, "a", HOST)).started).toBe(false);
      expect((await store.markReady("pong", match!.matchId, "a", HOST)).started).toBe(false);
      const done = await store.markReady("pong", match!.matchId, "b", HOST);
      expect(done.started).toBe(true);
      expect(done.match.state).toBe("playing");
      expect((await store.markReady("pong", match!.matchId, "b", HOST)).started).toBe(false);
      expect(await store.overdueReadyChecks("pong", T0 + 60_000, 10)).toEqual([]);
      expect(await store.cancelReadyCheck("pong", match!.matchId, "ready_timeout")).toBeNull();
      expect(await store.endMatch("pong", match!.matchId)).not.toBeNull();
      expect(await store.counts("pong")).toMatchObject({ matches: 0 });
      await join("a2", 1200);
      expect(await store.enqueue({ ticketId: "again", playerId: "a", name: "A", game: "pong", mode: "default" }, T0, E1200)).toMatchObject({ rating: 1200 });
    });

    it("times out a ready check: the ready player is requeued with its enqueuedAt, the other dropped", async () => {
      await join("a", 1200, T0);
      await join("b", 1200, T0 + 500);
      const [match] = await pairAll(T0 + 1000);
      await store.markReady("pong", match!.matchId, "b", HOST);
      expect(await store.overdueReadyChecks("pong", match!.readyBy - 1, 10)).toEqual([]);
      expect(await store.overdueReadyChecks("pong", match!.readyBy, 10)).toEqual([match!.matchId]);
      const cancelled = await store.cancelReadyCheck("pong", match!.matchId, "ready_timeout");
      expect(cancelled).toEqual({
        matchId: match!.matchId,
        game: "pong",
        reason: "ready_timeout",
        seats: [
          { playerId: "a", seat: 0, ticketId: "t-a", requeued: false, stamp: expect.any(Object) },
          { playerId: "b", seat: 1, ticketId: "t-b", requeued: true, stamp: expect.any(Object) },
        ],
      });
      expect(await store.cancelReadyCheck("pong", match!.matchId, "ready_timeout")).toBeNull();
      expect(await store.counts("pong")).toEqual({ queued: 1, matches: 0, players: 2 });
      await expect(store.enqueue({ ticketId: "x", playerId: "b", name: "B", game: "pong", mode: "default" }, T0, E1200)).rejects.toMatchObject({
        code: "ALREADY_QUEUED",
      });
      await store.heartbeat("n1", T0 + 20_000);
      await join("c", 1200, T0 + 20_000);
      const [next] = await pairAll(T0 + 20_000);
      expect(next!.players[0]).toMatchObject({ playerId: "b", ticketId: "t-b", enqueuedAt: T0 + 500 });
      expect(await store.dequeue("pong", "a")).toEqual({ ticket: false });
    });

    it("cancels for an opponent who left: the leaver is dropped even if ready", async () => {
      await join("a", 1200);
      await join("b", 1200);
      const [match] = await pairAll();
      await store.markReady("pong", match!.matchId, "a", HOST);
      await store.markReady("pong", match!.matchId, "a", HOST);
      expect(await store.dequeue("pong", "a")).toEqual({ ticket: false, match: { matchId: match!.matchId, state: "ready_check" } });
      const cancelled = await store.cancelReadyCheck("pong", match!.matchId, "opponent_left", "a");
      expect(cancelled?.seats).toEqual([
        { playerId: "a", seat: 0, ticketId: "t-a", requeued: false, stamp: expect.any(Object) },
        { playerId: "b", seat: 1, ticketId: "t-b", requeued: false, stamp: expect.any(Object) },
      ]);
      expect(await store.counts("pong")).toMatchObject({ queued: 0, matches: 0 });
    });

    it("hosts a match on the node of the player who queued first, with a lease; a lapsed lease is claimed once", async () => {
      await join("a", 1200, T0 - 10);
      await join("b", 1200);
      await store.openSession("pong", "a", "n7", ++seq, T0);
      expect(await store.recentWaits("pong")).toEqual([]);
      const [match] = await pairAll();
      expect(match!.host).toBe("n7");
      // the waits of paired players, newest first, for stats' estimate
      expect(await store.recentWaits("pong")).toEqual([0, 10]);
      await store.markReady("pong", match!.matchId, "a", HOST);
      const { match: started } = await store.markReady("pong", match!.matchId, "b", { node: "n1", now: T0, leaseMs: 3000 });
      expect(started.host).toBe("n7");
      expect(await store.openSession("pong", "a", "n1", ++seq, T0)).toEqual({
        match: { matchId: match!.matchId, state: "playing", host: "n7" },
        replaced: "n7",
        seq: expect.any(Number),
      });
      expect(await store.sessionNode("pong", "a")).toBe("n1");
      expect(await store.sessionNode("pong", "nobody")).toBeNull();
      const ref = { game: "pong", matchId: match!.matchId };
      expect(await store.claimLapsedHosts(T0 + 2000, 10)).toEqual([]);
      // one renewal of the host covers all its matches
      await store.renewHost("n7", T0 + 6000);
      expect(await store.claimLapsedHosts(T0 + 5000, 10)).toEqual([]);
      expect(await store.claimLapsedHosts(T0 + 6000, 10)).toEqual([{ ...ref, host: "n7" }]);
      expect(await store.claimLapsedHosts(T0 + 7000, 10)).toEqual([]);
      // a claim taken by mistake goes back into its host's set
      await store.renewHost("n7", T0 + 8000, [ref]);
      expect(await store.claimLapsedHosts(T0 + 7000, 10)).toEqual([]);
      expect(await store.claimLapsedHosts(T0 + 8000, 10)).toEqual([{ ...ref, host: "n7" }]);
      await store.renewHost("n7", T0 + 8500, [ref]);
      expect(await store.endMatch("pong", match!.matchId)).not.toBeNull();
      await store.renewHost("n7", T0 + 9000, [ref]);
      expect(await store.claimLapsedHosts(T0 + 99_000, 10)).toEqual([]);
    });

    it("takes a lapsed host's matches in batches, each once", async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        await join(`x${i}`, 1200);
        await join(`y${i}`, 1200);
        const [match] = await pairAll(T0 + i);
        await store.markReady("pong", match!.matchId, `x${i}`, HOST);
        await store.markReady("pong", match!.matchId, `y${i}`, HOST);
        ids.push(match!.matchId);
      }
      await store.renewHost(HOST.node, T0 + 1000);
      const first = await store.claimLapsedHosts(T0 + 1000, 3);
      const second = await store.claimLapsedHosts(T0 + 1000, 3);
      expect(first).toHaveLength(3);
      expect(second).toHaveLength(2);
      expect([...first, ...second].map((m) => m.matchId).sort()).toEqual([...ids].sort());
      expect(await store.claimLapsedHosts(T0 + 1000, 3)).toEqual([]);
      // a taken match that nobody ended (its taker died) is handed out again a few seconds later, until it is ended
      await store.endMatch("pong", ids[0]!);
      const again = await store.claimLapsedHosts(T0 + 20_000, 10);
      expect(again.map((m) => m.matchId).sort()).toEqual(ids.slice(1).sort());
      expect(again.every((m) => m.host === HOST.node)).toBe(true);
      for (const id of ids.slice(1)) await store.endMatch("pong", id);
      expect(await store.claimLapsedHosts(T0 + 99_000, 10)).toEqual([]);
    });

    it("keeps a running match's latest snapshot for its host only; another node adopts a lapsed host's match once, with it", async () => {
      await join("a", 1200, T0 - 10);
      await join("b", 1300);
      const [match] = await pairAll();
      const matchId = match!.matchId;
      const ref = { game: "pong", matchId };
      // a ready check has no snapshot to keep, and a match the store does not hold is skipped
      expect(await store.saveSnapshots("pong", "n1", [{ matchId, snapshot: "early" }])).toEqual([]);
      expect(await store.saveSnapshots("pong", "n1", [{ matchId: "m-unknown", snapshot: "x" }])).toEqual([]);
      await store.markReady("pong", matchId, "a", HOST);
      await store.markReady("pong", matchId, "b", HOST);
      expect(await store.saveSnapshots("pong", "n1", [])).toEqual([]);
      expect(await store.saveSnapshots("pong", "n1", [{ matchId, snapshot: '{"tick":1}', from: 0, inputs: ['{"i":1}', '{"i":2}'] }])).toEqual([]);
      // the inputs are appended: a snapshot whose reply was lost sends some again, and they are kept once
      expect(
        await store.saveSnapshots("pong", "n1", [{ matchId, snapshot: '{"tick":30,"s":"\\u00e9 \\" é"}', from: 1, inputs: ['{"i":2}', '{"i":3}'] }]),
      ).toEqual([]);
      // only the host writes it
      expect(await store.saveSnapshots("pong", "n2", [{ matchId, snapshot: "impostor" }])).toEqual([matchId]);
      // adoption of a match whose host is someone else, or of another game's match, changes nothing
      expect(await store.adoptMatch("pong", matchId, "n2", "n9", T0 + 5000)).toBeNull();
      expect(await store.adoptMatch("tictactoe", matchId, "n2", "n1", T0 + 5000)).toBeNull();

      const [lapsed] = await store.claimLapsedHosts(T0 + HOST.leaseMs, 10);
      expect(lapsed).toEqual({ ...ref, host: "n1" });
      const adoption = await store.adoptMatch("pong", matchId, "n2", "n1", T0 + 9000);
      expect(adoption).toEqual({
        match: {
          ...match,
          state: "playing",
          host: "n2",
          startedAt: T0,
          epoch: 2,
          players: match!.players.map((p) => ({ ...p, ready: true })),
          // stamped again for match:resumed (after found and start)
          stamps: match!.stamps!.map((s) => ({ ...s, seq: s.seq + 2 })),
        },
        snapshot: '{"tick":30,"s":"\\u00e9 \\" é"}',
        inputs: ['{"i":1}', '{"i":2}', '{"i":3}'],
      });
      expect(await store.getMatch("pong", matchId)).toMatchObject({ host: "n2", state: "playing" });
      // once: a second adoption finds the new host, and the old host's writes are refused
      expect(await store.adoptMatch("pong", matchId, "n3", "n1", T0 + 9000)).toBeNull();
      expect(await store.saveSnapshots("pong", "n1", [{ matchId, snapshot: "stale" }])).toEqual([matchId]);
      expect(await store.saveSnapshots("pong", "n2", [{ matchId, snapshot: '{"tick":31}' }])).toEqual([]);
      // the adopter's lease now covers it: claimed again only when that lapses, never handed out meanwhile
      expect(await store.claimLapsedHosts(T0 + 8000, 10)).toEqual([]);
      expect(await store.claimLapsedHosts(T0 + 9000, 10)).toEqual([{ ...ref, host: "n2" }]);
      // an ended match has no snapshot left, and nothing to adopt
      expect(await store.endMatch("pong", matchId)).not.toBeNull();
      expect(await store.adoptMatch("pong", matchId, "n3", "n2", T0 + 9000)).toBeNull();
      expect(await store.saveSnapshots("pong", "n2", [{ matchId, snapshot: "late" }])).toEqual([]);
      expect(await store.getMatch("pong", matchId)).toBeNull();
      expect(await store.claimLapsedHosts(T0 + 99_000, 10)).toEqual([]);
    });

    it("a host's own end stays in its set until it confirms telling the players; if it dies first, the taker gets the end to tell them", async () => {
      const made: string[] = [];
      for (const tag of ["x", "y", "z"]) {
        await join(`${tag}0`, 1200);
        await join(`${tag}1`, 1200);
        const [match] = await pairAll(T0 + made.length);
        await store.markReady("pong", match!.matchId, `${tag}0`, HOST);
        await store.markReady("pong", match!.matchId, `${tag}1`, HOST);
        made.push(match!.matchId);
      }
      const [delivered, undelivered, byReaper] = made as [string, string, string];
      const end = (matchId: string, tag: string) => ({ matchId, reason: "win" as const, winner: `${tag}0`, ratings: { [`${tag}0`]: 1216, [`${tag}1`]: 1184 } });
      expect(await store.endMatch("pong", delivered, { end: end(delivered, "x"), host: "n1" })).not.toBeNull();
      expect(await store.endMatch("pong", undelivered, { end: end(undelivered, "y"), host: "n1" })).not.toBeNull();
      // an end recorded by a node that is not its host (an abort) is not waiting for anyone
      expect(await store.endMatch("pong", byReaper, { end: end(byReaper, "z") })).not.toBeNull();
      // the players are free at once
      expect(await store.openSession("pong", "y0", "n1", ++seq, T0)).toEqual({ match: null, seq: expect.any(Number) });
      await store.renewHost("n1", T0 + 5000, [], [{ game: "pong", matchId: delivered }]);
      const claimed = await store.claimLapsedHosts(T0 + 5000, 10);
      expect(claimed).toEqual([{ game: "pong", matchId: undelivered, host: "n1" }]);
      expect(await store.adoptMatch("pong", undelivered, "n2", "n1", T0 + 9000)).toEqual({
        ended: { players: ["y0", "y1"], end: end(undelivered, "y"), stamps: [expect.objectContaining({ seq: expect.any(Number) }), expect.any(Object)] },
      });
      // told once: nothing is handed out again
      expect(await store.claimLapsedHosts(T0 + 60_000, 10)).toEqual([]);
    });

    it("a lapsed host's match without a snapshot cannot be resumed: adoption leaves it to be ended", async () => {
      await join("a", 1200, T0 - 10);
      await join("b", 1200);
      const [match] = await pairAll();
      await store.markReady("pong", match!.matchId, "a", HOST);
      await store.markReady("pong", match!.matchId, "b", HOST);
      expect(await store.claimLapsedHosts(T0 + HOST.leaseMs, 10)).toHaveLength(1);
      const adoption = await store.adoptMatch("pong", match!.matchId, "n2", "n1", T0 + 9000);
      expect(adoption).toMatchObject({ match: { matchId: match!.matchId, host: "n1" } });
      expect(adoption && "match" in adoption ? adoption.snapshot : "not a match").toBeUndefined();
      expect(await store.getMatch("pong", match!.matchId)).toMatchObject({ host: "n1" });
      expect(await store.endMatch("pong", match!.matchId)).not.toBeNull();
    });
  });

  describe("lobby (LobbyStore): who is online, offers, direct matches, rematches", () => {
    it("the lobby: who is online in playerId order, paged, with names and statuses; gone when their session closes", async () => {
      for (const [i, id] of ["dee", "ann", "cid", "bob"].entries()) await store.openSession("pong", id, "n1", 100 + i, T0, id.toUpperCase());
      await store.openSession("tictactoe", "zed", "n1", 200, T0, "Zed");
      await store.enqueue({ ticketId: "t-cid", playerId: "cid", name: "CID", game: "pong", mode: "default" }, T0, E1200);
      const first = await store.lobbyPage("pong", "", 3);
      expect(first).toEqual({
        players: [
          { playerId: "ann", name: "ANN", status: "idle" },
          { playerId: "bob", name: "BOB", status: "idle" },
          { playerId: "cid", name: "CID", status: "queued" },
        ],
        total: 4,
        next: "cid",
      });
      expect(await store.lobbyPage("pong", "cid", 3)).toEqual({ players: [{ playerId: "dee", name: "DEE", status: "idle" }], total: 4 });
      expect(await store.lobbyPage("pong", "zzz", 3)).toEqual({ players: [], total: 4 });
      expect(await store.playerStatus("pong", "cid")).toBe("queued");
      expect(await store.playerStatus("pong", "zed")).toBeNull();
      await store.closeSession("pong", "ann", 101);
      expect((await store.lobbyPage("pong", "", 10)).players.map((p) => p.playerId)).toEqual(["bob", "cid", "dee"]);
    });

    it("offers are kept once per key and used up by the match they make; a direct match checks both players", async () => {
      for (const [i, id] of ["a", "b", "c"].entries()) await store.openSession("pong", id, "n1", 300 + i, T0, id.toUpperCase());
      await store.openSession("pong", "b", "n2", 310, T0, "B");
      expect(await store.putOffer("pong", "code:ABCDEF", "offer-1", 60_000)).toBe(true);
      expect(await store.putOffer("pong", "code:ABCDEF", "offer-2", 60_000)).toBe(false);
      expect(await store.getOffer("pong", "code:ABCDEF")).toBe("offer-1");
      expect(await store.getOffer("tictactoe", "code:ABCDEF")).toBeNull();
      const request = { matchId: "m-direct", mode: "casual", players: ["b", "a"] as [string, string], now: T0, readyTimeoutMs: 5000, initial: E1200 };
      await expect(store.makeMatch("pong", { ...request, offer: "code:ZZZZZZ" })).rejects.toMatchObject({ code: "UNKNOWN_CODE" });
      await expect(store.makeMatch("pong", { ...request, players: ["a", "nobody"] })).rejects.toMatchObject({ code: "UNKNOWN_PLAYER" });
      await store.enqueue({ ticketId: "t-c", playerId: "c", name: "C", game: "pong", mode: "default" }, T0, E1200);
      await expect(store.makeMatch("pong", { ...request, players: ["a", "c"] })).rejects.toMatchObject({ code: "ALREADY_QUEUED" });
      const match = await store.makeMatch("pong", { ...request, offer: "code:ABCDEF" });
      expect(match).toMatchObject({ matchId: "m-direct", mode: "casual", state: "ready_check", host: "n2", readyBy: T0 + 5000 });
      expect(match.players.map((p) => [p.playerId, p.name, p.rating, p.ticketId])).toEqual([
        ["b", "B", 1200, ""],
        ["a", "A", 1200, ""],
      ]);
      expect(await store.getOffer("pong", "code:ABCDEF")).toBeNull();
      await expect(store.makeMatch("pong", { ...request, matchId: "m-again", players: ["a", "c"] })).rejects.toMatchObject({ code: "ALREADY_IN_MATCH" });
      // a missed check puts nobody in a queue: there were no tickets
      await store.markReady("pong", "m-direct", "a", HOST);
      const cancelled = await store.cancelReadyCheck("pong", "m-direct", "ready_timeout");
      expect(cancelled?.seats.map((x) => x.requeued)).toEqual([false, false]);
      expect(await store.playerStatus("pong", "a")).toBe("idle");
      expect(await store.putOffer("pong", "ch:1", "x", 60_000)).toBe(true);
      expect(await store.dropOffer("pong", "ch:1")).toBe(true);
      expect(await store.dropOffer("pong", "ch:1")).toBe(false);
    });

    it("a rematch: both players of a match that just ended ask; the second ask gets the players with seats swapped", async () => {
      await join("a", 1200, T0 - 10);
      await join("b", 1300);
      const [match] = await pairAll();
      const matchId = match!.matchId;
      await store.markReady("pong", matchId, "a", HOST);
      await store.markReady("pong", matchId, "b", HOST);
      await expect(store.askRematch("pong", matchId, "a", T0, 30_000)).rejects.toMatchObject({ code: "UNKNOWN_MATCH" });
      await store.endMatch("pong", matchId, { end: { matchId, reason: "forfeit", winner: "b", ratings: { a: 1190, b: 1310 } } });
      const now = Date.now();
      await expect(store.askRematch("pong", matchId, "x", now, 30_000)).rejects.toMatchObject({ code: "NOT_IN_MATCH" });
      await expect(store.askRematch("pong", matchId, "a", now + 31_000, 30_000)).rejects.toMatchObject({ code: "UNKNOWN_MATCH" });
      expect(await store.askRematch("pong", matchId, "a", now, 30_000)).toEqual({ waiting: true, opponent: "b" });
      expect(await store.askRematch("pong", matchId, "a", now, 30_000)).toEqual({ waiting: true, opponent: "b" });
      expect(await store.askRematch("pong", matchId, "b", now, 30_000)).toEqual({ waiting: false, players: ["b", "a"], mode: "default" });
      const again = await store.makeMatch("pong", {
        matchId: "m-re",
        mode: "default",
        players: ["b", "a"],
        now,
        readyTimeoutMs: 5000,
        initial: E1200,
        offer: `fin:${matchId}`,
      });
      expect(again.players.map((p) => p.playerId)).toEqual(["b", "a"]);
      await expect(store.askRematch("pong", matchId, "a", now, 30_000)).rejects.toMatchObject({ code: "UNKNOWN_MATCH" });
    });
  });

  describe("ratings (RatingStore): per game and mode; guests' expire", () => {
    it("keeps ratings per game and mode, with their uncertainty, and a default", async () => {
      const initial = { rating: 1000, mu: 25, sigma: 25 / 3 };
      const a = { rating: 1234, mu: 31.25, sigma: 4.5 };
      expect(await store.getRating("pong", "ranked", "nobody", initial)).toEqual(initial);
      await store.setRatings("pong", "ranked", { a, b: { rating: 1166, mu: 20.1, sigma: 3.25 } }, 60_000);
      expect(await store.getRating("pong", "ranked", "a", initial)).toEqual(a);
      expect(await store.getRating("pong", "casual", "a", initial)).toEqual(initial);
      expect(await store.getRating("tictactoe", "ranked", "a", initial)).toEqual(initial);
      await store.openSession("pong", "a", "n1", ++seq, T0);
      const ticket = await store.enqueue({ ticketId: "ta", playerId: "a", name: "A", game: "pong", mode: "ranked" }, T0, initial);
      expect(ticket).toMatchObject(a);
    });

    it("a guest's rating expires after the time it is given (the guest token's lifetime)", async () => {
      const rated = { rating: 1100, mu: 27, sigma: 5 };
      await store.setRatings("pong", "ranked", { g_guest1: rated, member: rated }, 200);
      expect(await store.getRating("pong", "ranked", "g_guest1", E1200)).toEqual(rated);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(await store.getRating("pong", "ranked", "g_guest1", E1200)).toEqual(E1200);
      expect(await store.getRating("pong", "ranked", "member", E1200)).toEqual(rated);
    });
  });

  describe("watching (WatchStore): leaderboards", () => {
    it("a leaderboard keeps a guest while their rating lives: once it expired (with their token) they leave the board", async () => {
      const players = [
        { playerId: "g_guest", name: "Guest", rating: 1300 },
        { playerId: "member", name: "Member", rating: 1100 },
      ];
      await store.setRatings("pong", "ranked", { g_guest: { rating: 1300, mu: 30, sigma: 3 } }, 300);
      for (let i = 0; i < 5; i++) {
        const matchId = `m-board-${i}`;
        const end = { reason: "win" as const, winner: "g_guest", tick: 10 };
        await store.archiveMatch("pong", {
          replay: { matchId, game: "pong", mode: "ranked", seed: 1, tickRate: 30, players, inputs: [], end },
          replayTtlMs: 60_000,
          ranked: true,
          players: players.map((p, seat) => ({
            ...p,
            entry: { matchId, mode: "ranked", opponent: players[1 - seat]!, result: seat === 0 ? "win" : "loss", ratingAfter: p.rating, endedAt: T0 + i },
          })),
        });
      }
      expect((await store.leaderboard("pong", "ranked", 10)).map((row) => [row.rank, row.playerId, row.matches])).toEqual([
        [1, "g_guest", 5],
        [2, "member", 5],
      ]);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect((await store.leaderboard("pong", "ranked", 10)).map((row) => [row.rank, row.playerId])).toEqual([[1, "member"]]);
      expect((await store.leaderboard("pong", "ranked", 1)).map((row) => row.playerId)).toEqual(["member"]);
    });
  });
});

describe("the memory store keeps replays within their budget (REPLAY_MEMORY_MB)", () => {
  const players = [
    { playerId: "p1", name: "One", rating: 1200 },
    { playerId: "p2", name: "Two", rating: 1200 },
  ];
  const archive = (matchId: string, inputs: number): MatchArchive => ({
    replay: {
      matchId,
      game: "pong",
      mode: "casual",
      seed: 1,
      tickRate: 30,
      players,
      inputs: Array.from({ length: inputs }, (_, i) => ({ tick: i + 1, seat: (i % 2) as 0 | 1, input: { dir: 1 } })),
      end: { reason: "win" as const, winner: "p1", tick: inputs + 1 },
    },
    replayTtlMs: 60_000,
    ranked: false,
    players: players.map((p, seat) => ({
      ...p,
      entry: {
        matchId,
        mode: "casual",
        opponent: players[1 - seat]!,
        result: seat === 0 ? ("win" as const) : ("loss" as const),
        ratingAfter: 1200,
        endedAt: T0,
      },
    })),
  });
  const size = JSON.stringify(archive("m-0", 20).replay).length;

  it("drops the oldest replays once the budget is spent, and hands each reader its own copy", async () => {
    const store = memoryStore({ replayBytes: Math.floor(size * 2.5) });
    for (const matchId of ["m-0", "m-1", "m-2"]) await store.archiveMatch("pong", archive(matchId, 20));
    expect(await store.replay("pong", "m-0")).toBeNull();
    const kept = await store.replay("pong", "m-1");
    expect(kept).toEqual(archive("m-1", 20).replay);
    kept!.inputs.length = 0;
    expect((await store.replay("pong", "m-1"))!.inputs).toHaveLength(20);
    expect(await store.replay("pong", "m-2")).toEqual(archive("m-2", 20).replay);
    // A replay larger than the whole budget is still kept, alone.
    await store.archiveMatch("pong", archive("m-big", 200));
    expect((await store.replay("pong", "m-big"))!.inputs).toHaveLength(200);
    expect(await store.replay("pong", "m-2")).toBeNull();
    // Histories are not replays: both players still list all four matches.
    expect((await store.history("pong", "p1")).map((e) => e.matchId)).toEqual(["m-big", "m-2", "m-1", "m-0"]);
  });
});
