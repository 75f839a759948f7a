import { describe, expect, it } from "vitest";
import { Interpolator, MatchTimeline, Predictor, ServerClock, lerpView } from "../clients/sdk/index.ts";
import pong, { type PongInput, type PongState, type PongView } from "../game-rooms/games/pong/index.ts";
import connectFour from "../game-rooms/games/connect-four/index.ts";
import tictactoe from "../game-rooms/games/tictactoe/index.ts";
import { columnCodes } from "../game-rooms/games/connect-four/board.ts";
import { instantiate } from "../game-rooms/games/index.ts";
import type { GameNetcode, Seat } from "../protocol/index.ts";

/** Pong's rules as a client makes them (default settings: 30 ticks a second). */
const rules = pong.create(pong.settings!.schema.parse({}));
const netcode = rules.netcode as Required<GameNetcode<PongState, PongInput, PongView>>;
const TICK_MS = 1000 / rules.tickRate;
const PER_TICK = 1.2 / rules.tickRate;

/** A server's match, run tick by tick with the same rules: inputs arrive and apply at a tick, as a room applies them. */
class ServerMatch {
  state = rules.init(7);
  tick = 0;
  inputSeq: [number, number] = [0, 0];
  private arriving: { tick: number; seat: Seat; seq: number; input: PongInput }[] = [];
  send(atTick: number, seat: Seat, seq: number, input: PongInput): void {
    this.arriving.push({ tick: atTick, seat, seq, input });
  }
  step(): { tick: number; view: PongView; inputSeq: [number, number] } {
    this.tick += 1;
    for (const a of this.arriving.filter((a) => a.tick === this.tick)) {
      rules.apply(this.state, a.seat, a.input, this.tick);
      this.inputSeq[a.seat] = Math.max(this.inputSeq[a.seat], a.seq);
    }
    rules.step(this.state, this.tick);
    return { tick: this.tick, view: rules.view(this.state, { epochOfTick: () => 0 }), inputSeq: [...this.inputSeq] };
  }
}

describe("netcode", () => {
  it("the server clock keeps the lowest-RTT samples: a client clock five minutes off reads the server's time", () => {
    const skew = -5 * 60_000;
    let local = 1_000_000;
    const clock = new ServerClock(() => local);
    // Server time = local - skew. Fast exchanges are exact; slow, lopsided ones are not and must not count.
    const exchange = (up: number, down: number) => {
      const sent = local;
      local += up;
      const server = local - skew;
      local += down;
      clock.add(sent, server, local);
    };
    for (let i = 0; i < 4; i++) exchange(5, 5);
    for (let i = 0; i < 8; i++) exchange(400, 20);
    expect(Math.abs(clock.now() - (local - skew))).toBeLessThan(1);
    expect(clock.rttMs).toBe(420);
  });

  it("interpolates between the two states around the drawn time, caps extrapolation, then waits instead of jumping", () => {
    const timeline = new MatchTimeline(0, 30);
    const interpolator = new Interpolator<PongView>(timeline, netcode.interpolate, { fixedDelayMs: 2 * TICK_MS, maxExtrapolationMs: 50 });
    const view = (x: number): PongView => ({ ball: { x, y: 0.5 }, paddles: [0.5, 0.5], score: [0, 0] });
    interpolator.push(10, view(0.1), timeline.timeOf(10));
    interpolator.push(11, view(0.2), timeline.timeOf(11));
    interpolator.push(12, view(0.3), timeline.timeOf(12));
    // Drawn two ticks behind: at tick 12.5's time, tick 10.5.
    const mid = interpolator.sample(timeline.timeOf(12.5))!;
    expect(mid.tick).toBeCloseTo(10.5);
    expect(mid.view.ball.x).toBeCloseTo(0.15);
    // States stop: extrapolated at most 50 ms past the newest, then held there.
    const far = interpolator.sample(timeline.timeOf(30))!;
    expect(far.extrapolatedMs).toBe(50);
    expect(far.view.ball.x).toBeCloseTo(0.3 + 0.1 * (50 / TICK_MS));
    expect(interpolator.sample(timeline.timeOf(40))!.view.ball.x).toBeCloseTo(far.view.ball.x);
    // The states come back: the drawn time goes on from where it waited, it does not jump to catch up.
    for (let t = 13; t <= 40; t++) interpolator.push(t, view(0.3 + 0.1 * (t - 12)), timeline.timeOf(40));
    const resumed = interpolator.sample(timeline.timeOf(40) + 16)!;
    expect(resumed.view.ball.x - far.view.ball.x).toBeGreaterThan(0);
    // (The delay shrinks back by at most a twentieth of the time passing: time runs at most 5% fast.)
    expect(resumed.view.ball.x - far.view.ball.x).toBeLessThan(0.1 * ((16 * 1.05) / TICK_MS) + 1e-9);
  });

  it("a point is drawn where the serve puts the ball, never slid back across the field", () => {
    const timeline = new MatchTimeline(0, 30);
    const interpolator = new Interpolator<PongView>(timeline, netcode.interpolate, { fixedDelayMs: 2 * TICK_MS });
    interpolator.push(1, { ball: { x: 0.95, y: 0.5 }, paddles: [0.5, 0.5], score: [0, 0] }, timeline.timeOf(1));
    interpolator.push(2, { ball: { x: 0.5, y: 0.5 }, paddles: [0.5, 0.5], score: [1, 0] }, timeline.timeOf(2));
    expect(interpolator.sample(timeline.timeOf(3.5))!.view.ball.x).toBe(0.95);
    expect(interpolator.sample(timeline.timeOf(4))!.view.ball.x).toBe(0.5);
  });

  it("the adaptive delay follows how late states arrive, moving slowly, and then rarely runs out of states", () => {
    const timeline = new MatchTimeline(0, 30);
    const interpolator = new Interpolator<PongView>(timeline, lerpView);
    const v: PongView = { ball: { x: 0, y: 0 }, paddles: [0.5, 0.5], score: [0, 0] };
    // States arrive 50 ms after their tick, every tenth 100 ms late and holding the next ones up (TCP keeps order).
    const arrivals: number[] = [];
    for (let t = 0; t < 600; t++) arrivals.push(Math.max(timeline.timeOf(t) + (t % 10 === 5 ? 100 : 50), arrivals[t - 1] ?? 0));
    let pushed = 0;
    let starved = 0;
    let frames = 0;
    for (let now = arrivals[0]!; pushed < 600; now += 16) {
      while (pushed < 600 && arrivals[pushed]! <= now) interpolator.push(pushed, v, arrivals[pushed++]!);
      const last = interpolator.delayMs;
      const sampled = interpolator.sample(now)!;
      // After the first two seconds: the delay has settled.
      if (now < timeline.timeOf(60)) continue;
      frames++;
      if (sampled.extrapolatedMs > 0) starved++;
      expect(Math.abs(interpolator.delayMs - last)).toBeLessThanOrEqual(16 * 0.25 + 1e-9);
    }
    expect(interpolator.delayMs).toBeGreaterThan(TICK_MS + 50);
    expect(interpolator.delayMs).toBeLessThanOrEqual(TICK_MS + 100 + 1e-9);
    expect(starved / frames).toBeLessThan(0.05);
    expect(interpolator.medianLatenessMs()).toBe(50);
  });

  it("predicts the own paddle at once, agrees with the server after it, and replays unconfirmed inputs on each state", () => {
    const server = new ServerMatch();
    const timeline = new MatchTimeline(0, 30);
    const seat: Seat = 0;
    const start = rules.view(server.state, { epochOfTick: () => 0 });
    const predictor = new Predictor(rules, netcode, seat, timeline, { tick: 0, view: start, inputSeq: 0 });
    const latency = 3; // ticks each way
    const inFlight: { at: number; state: ReturnType<ServerMatch["step"]> }[] = [];
    // The client runs `latency` ticks ahead of the server: an input made at its tick n applies on the server at n + 1.
    let clientTick = latency;
    predictor.advance(clientTick);
    const ownAt = (tick: number) => predictor.viewAt(tick, 0).paddles[seat];
    const y0 = ownAt(clientTick);
    predictor.input(1, { dir: 1 }, clientTick + 1);
    server.send(clientTick + 1, seat, 1, { dir: 1 });
    // The very next drawn frame shows it moving, before the server has seen it.
    expect(ownAt(clientTick + 0.5)).toBeCloseTo(y0 + PER_TICK / 2);
    for (let i = 0; i < 20; i++) {
      clientTick += 1;
      inFlight.push({ at: server.tick + 1 + 2 * latency, state: server.step() });
      for (const s of inFlight.filter((f) => f.at === clientTick)) predictor.authoritative(s.state.tick, s.state.view, s.state.inputSeq[seat], 0);
      if (i === 10) {
        predictor.input(2, { dir: 0 }, clientTick + 1);
        server.send(clientTick + 1, seat, 2, { dir: 0 });
      }
    }
    // No correction was needed: the prediction was the server's future all along.
    expect(predictor.stats.corrections).toBe(0);
    expect(predictor.stats.driftMax).toBeLessThan(1e-9);
    const last = inFlight[inFlight.length - 1]!.state;
    expect(ownAt(clientTick)).toBeCloseTo(last.view.paddles[seat]);
  });

  it("an input the server refuses is rolled back, and the correction fades over the smoothing window", () => {
    const server = new ServerMatch();
    const timeline = new MatchTimeline(0, 30);
    const seat: Seat = 1;
    const predictor = new Predictor(
      rules,
      netcode,
      seat,
      timeline,
      { tick: 0, view: rules.view(server.state, { epochOfTick: () => 0 }), inputSeq: 0 },
      { smoothingMs: 150 },
    );
    predictor.advance(2);
    predictor.input(1, { dir: -1 }, 3);
    // The server never applies it (refused): its states keep the paddle still.
    for (let t = 0; t < 8; t++) {
      const s = server.step();
      predictor.advance(s.tick + 2);
      if (t < 7) predictor.authoritative(s.tick, s.view, s.inputSeq[seat], t * TICK_MS);
    }
    // Unconfirmed, it is replayed from each state's next tick: the paddle is drawn moving.
    const moved = predictor.viewAt(10, 1000).paddles[seat];
    expect(moved).toBeLessThan(0.5 - 2 * PER_TICK);
    predictor.refuse(1, 1000);
    // Drawn where it was at the refusal, then back at the server's position once the window has passed.
    expect(predictor.viewAt(10, 1000).paddles[seat]).toBeCloseTo(moved);
    expect(predictor.viewAt(10, 1075).paddles[seat]).toBeCloseTo((moved + 0.5) / 2);
    expect(predictor.viewAt(10, 1150).paddles[seat]).toBeCloseTo(0.5);
    expect(predictor.stats.corrections).toBeGreaterThanOrEqual(1);
  });

  it("an input never confirmed stops being replayed (lost, or refused without an answer)", () => {
    const server = new ServerMatch();
    const timeline = new MatchTimeline(0, 30);
    const predictor = new Predictor(
      rules,
      netcode,
      0,
      timeline,
      { tick: 0, view: rules.view(server.state, { epochOfTick: () => 0 }), inputSeq: 0 },
      { lostAfterTicks: 10 },
    );
    predictor.input(1, { dir: 1 }, 1);
    for (let t = 0; t < 15; t++) {
      const s = server.step();
      predictor.authoritative(s.tick, s.view, s.inputSeq[0], t * TICK_MS);
    }
    expect(predictor.stats.pending).toBe(0);
    expect(predictor.viewAt(15, 10_000).paddles[0]).toBeCloseTo(0.5);
  });

  it("a turn game shows a move at once and takes it back when the server refuses it", () => {
    const game = instantiate(tictactoe);
    const timeline = new MatchTimeline(0, game.tickRate);
    const view = game.view(game.init(1), { epochOfTick: (t) => timeline.timeOf(t) }) as { board: (Seat | null)[]; turn: Seat };
    const predictor = new Predictor(game, game.netcode as Required<GameNetcode>, 0, timeline, { tick: 0, view, inputSeq: 0 });
    predictor.input(1, { cell: 4 }, 1);
    expect(predictor.hasPending).toBe(true);
    expect((predictor.viewAt(1, 0) as typeof view).board[4]).toBe(0);
    predictor.refuse(1, 0);
    expect(predictor.hasPending).toBe(false);
    expect((predictor.viewAt(1, 0) as typeof view).board[4]).toBeNull();
    // A move the rules refuse here too (the other seat's cell) shows nothing.
    predictor.input(2, { cell: 9 }, 2);
    expect((predictor.viewAt(2, 0) as typeof view).board).toEqual(view.board);
  });

  it("connect-four's compact view is completed from its column codes", () => {
    const game = instantiate(connectFour);
    const state = game.init(1);
    game.apply(state, 0, { column: 3 }, 1);
    game.apply(state, 1, { column: 3 }, 2);
    const view = game.view(state, { epochOfTick: () => 0 }) as { board: (Seat | null)[]; columns: number[] };
    const decoded = game.netcode!.fromWire!({ ...view, board: Array(42).fill(null), columns: columnCodes(view.board) });
    expect(decoded.board).toEqual(view.board);
  });
});
