/** One `time:sync` exchange: the server's clock minus the client's, and the round trip it was measured over. */
export interface ClockSample {
  offsetMs: number;
  rttMs: number;
}

/** How many recent samples are kept, and how many of the lowest-RTT ones are averaged. */
const KEPT = 16;
const BEST = 4;

/**
 * The server's clock as the client estimates it (`time:sync`, PROTOCOL.md v3): each sample's offset
 * is `serverTime - (clientTime + rtt / 2)`, and the estimate averages the samples with the lowest
 * round trips among the recent ones (a slow answer says least about when the server read its clock).
 * `localNow` is the client's own clock (injectable: tests skew it).
 */
export class ServerClock {
  private samples: ClockSample[] = [];
  /** The current estimate (0 before any sample). */
  offsetMs = 0;
  private sampled = false;
  /** The median round trip of the kept samples (undefined before any). */
  rttMs: number | undefined;

  constructor(readonly localNow: () => number = Date.now) {}

  get synced(): boolean {
    return this.samples.length > 0;
  }

  /** The offset `now()` applies: it follows `offsetMs` gradually, so that drawn time never jumps. */
  private applied: number | undefined;
  private appliedAt = 0;

  /**
   * The server's time now (epoch ms). A new estimate is slewed in (time runs at most 5% fast or
   * slow until it is reached, as NTP does), unless it is a second or more away: then it is taken at once.
   */
  now(): number {
    const local = this.localNow();
    if (this.applied === undefined || Math.abs(this.offsetMs - this.applied) >= 1000) this.applied = this.offsetMs;
    else {
      const step = Math.max(0, local - this.appliedAt) * 0.05;
      this.applied += Math.max(-step, Math.min(step, this.offsetMs - this.applied));
    }
    this.appliedAt = local;
    return local + this.applied;
  }

  /** The server's time at `at`, a `performance.now()` time (a requestAnimationFrame timestamp). */
  at(at: number): number {
    return this.now() - (performance.now() - at);
  }

  /** Adds one exchange: `sentAt` and `receivedAt` on the local clock, `serverTime` from the answer. */
  add(sentAt: number, serverTime: number, receivedAt: number): ClockSample {
    const rttMs = Math.max(0, receivedAt - sentAt);
    const sample = { offsetMs: serverTime - (sentAt + rttMs / 2), rttMs };
    this.samples.push(sample);
    // The first estimate replaces the guess of 0 outright.
    if (!this.sampled) this.applied = undefined;
    this.sampled = true;
    if (this.samples.length > KEPT) this.samples.shift();
    const best = [...this.samples].sort((a, b) => a.rttMs - b.rttMs).slice(0, BEST);
    this.offsetMs = best.reduce((sum, s) => sum + s.offsetMs, 0) / best.length;
    const rtts = this.samples.map((s) => s.rttMs).sort((a, b) => a - b);
    this.rttMs = rtts[Math.floor(rtts.length / 2)];
    return sample;
  }

  /** Forgets every sample (a new connection, perhaps to another node). */
  reset(): void {
    this.samples = [];
    this.rttMs = undefined;
  }
}

/** Ticks and server time of one match: tick T runs at `tickZeroAt + T * 1000 / tickRate` (PROTOCOL.md v3). */
export class MatchTimeline {
  readonly tickMs: number;

  constructor(
    readonly tickZeroAt: number,
    readonly tickRate: number,
  ) {
    this.tickMs = 1000 / tickRate;
  }

  /** The server time at which `tick` runs. */
  timeOf(tick: number): number {
    return this.tickZeroAt + tick * this.tickMs;
  }

  /** The tick running at server time `time`, with its fraction (3.5: halfway from tick 3 to 4). */
  tickAt(time: number): number {
    return (time - this.tickZeroAt) / this.tickMs;
  }
}
