import { performance } from "node:perf_hooks";
import type { TemplatedApp } from "uWebSockets.js";
import { StreamStats, TickScheduler } from "../../game-rooms/index.ts";

const SENT_RING = 128;

/**
 * Paddles that follow the players' inputs (no ball, no rules): enough for a client to see its input
 * in the states, as it does in Arena's pong, so that input-to-state latency means the same thing.
 */
export class Paddles {
  readonly y = [0.5, 0.5];
  private readonly dir = [0, 0];

  input(seat: number, dir: unknown): void {
    if (dir === -1 || dir === 0 || dir === 1) this.dir[seat] = dir;
  }

  step(): void {
    // A step of 1/61 keeps the numbers as long on the wire as Arena's pong paddles.
    for (let seat = 0; seat < 2; seat++) this.y[seat] = Math.min(0.9, Math.max(0.1, this.y[seat]! + this.dir[seat]! / 61));
  }
}

/** The baselines' measurement, identical to Arena's: the same scheduler, counters and histograms. */
export function baselineStats(name: string): { stats: StreamStats; scheduler: TickScheduler } {
  const stats = new StreamStats(name);
  return { stats, scheduler: new TickScheduler({ onMemberLateness: (ms) => stats.roomTicked(ms) }) };
}

/**
 * What a baseline match keeps to account for its stream as Arena's rooms do: when each tick left,
 * each player's last acknowledged tick, and the inputs waiting for the next tick's answer.
 */
export class StreamLedger<P> {
  tick = 0;
  private readonly sentAt = new Float64Array(SENT_RING);
  private readonly sentTick = new Int32Array(SENT_RING).fill(-1);
  private readonly lastAck = new Map<P, number>();
  readonly inputAnswers: [P, (tick: number | null) => void][] = [];

  constructor(
    private readonly stats: StreamStats,
    private readonly ackEvery: number,
  ) {}

  /** The next tick, sent to `seats` players. */
  sent(seats: number): number {
    this.tick++;
    const slot = this.tick % SENT_RING;
    this.sentAt[slot] = performance.now();
    this.sentTick[slot] = this.tick;
    this.stats.counters.statesSent += seats;
    if (this.tick % this.ackEvery === 0) this.stats.counters.statesOwedAck += seats;
    for (const [, answer] of this.inputAnswers.splice(0)) answer(this.tick);
    return this.tick;
  }

  /** A cumulative `state:ack`, taken or dropped as Arena's rooms do. */
  acknowledge(player: P, tick: number): void {
    const last = this.lastAck.get(player) ?? 0;
    if (!Number.isInteger(tick) || tick > this.tick || tick <= last) return void this.stats.counters.stateAcksDropped++;
    if (tick % this.ackEvery === 0) this.stats.counters.stateAcks++;
    else this.stats.counters.stateAcksExtra++;
    this.lastAck.set(player, tick);
    const slot = tick % SENT_RING;
    if (this.sentTick[slot] === tick) this.stats.rtt(performance.now() - this.sentAt[slot]!);
  }

  /** An input: counted, and answered with the next tick when `answer` is given. */
  input(player: P, answer?: (tick: number | null) => void): void {
    this.stats.counters.inputs++;
    if (answer) this.inputAnswers.push([player, answer]);
  }

  /** The match is over: inputs still waiting are answered with no tick. */
  close(): void {
    for (const [, answer] of this.inputAnswers.splice(0)) answer(null);
  }
}

/** The HTTP side every baseline shares with Arena: guest tokens (dummies), `GET /metrics/latency`, listening. */
export function serveBaseline(app: TemplatedApp, stats: StreamStats, scheduler: TickScheduler, port: number): void {
  // A normal exit on SIGTERM, so that `--cpu-prof` (BENCH_PROFILE_DIR) gets to write its profile.
  process.once("SIGTERM", () => process.exit(0));
  let ids = 0;
  app.post("/v1/guest", (res) => {
    let aborted = false;
    res.onAborted(() => (aborted = true));
    res.onData((_chunk, isLast) => {
      if (!isLast || aborted) return;
      const id = ids++;
      res.cork(() => res.writeHeader("content-type", "application/json").end(JSON.stringify({ playerId: `p${id}`, name: `p${id}`, token: `t${id}` })));
    });
  });
  app.get("/metrics/latency", (res, req) => {
    let aborted = false;
    res.onAborted(() => (aborted = true));
    const rate = Number(new URLSearchParams(req.getQuery() ?? "").get("tickRate"));
    const answer = (tickClock: Record<string, number>) => {
      if (!aborted) res.cork(() => res.writeHeader("content-type", "application/json").end(JSON.stringify(stats.snapshot(tickClock))));
    };
    if (!(rate > 0)) return answer({});
    scheduler.atCycleBoundary(rate, (boundary) => answer(Number.isNaN(boundary) ? {} : { [rate]: boundary }));
  });
  app.listen("127.0.0.1", port, (token) => {
    if (!token) process.exit(1);
    process.stdout.write(`${JSON.stringify({ type: "listening", port })}\n`);
  });
}
