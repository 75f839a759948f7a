import { lerpView } from "./view-math.ts";
import type { MatchTimeline } from "./clock.ts";

export type Interpolate<V> = (a: V, b: V, t: number) => V;

export interface InterpolationOptions {
  /** Render this long behind the server's clock at first (ms; default two ticks plus the round trip's half). */
  initialDelayMs?: number;
  /** Extrapolate at most this far past the newest state when states stop (ms; default 100), then hold it. */
  maxExtrapolationMs?: number;
  /** A fixed delay instead of the adaptive one (ms). */
  fixedDelayMs?: number;
}

/** States kept: about two seconds at 30 ticks a second. */
const KEPT = 64;
/** Lateness samples the delay adapts to. */
const LATENESS_WINDOW = 90;

/** What `sample` draws, with what it knows about the buffer. */
export interface Sampled<V> {
  view: V;
  /** The tick drawn (fractional). */
  tick: number;
  /** How far past the newest state it extrapolated (ms; 0 when it interpolated). */
  extrapolatedMs: number;
}

/**
 * Entity interpolation (Valve's, Gambetta's): remote things are drawn at `serverNow - delay`, between
 * the two states around that time. The delay adapts to how late states arrive: one tick plus the
 * 95th percentile of their lateness (arrival time minus the time their tick ran, on the server's
 * clock), so that the state after the drawn time has nearly always come. It moves slowly (time
 * stretches by at most a quarter, shrinks by at most a twentieth), so motion never jumps; when
 * states stop, the drawn time extrapolates up to a cap and then waits there.
 */
export class Interpolator<V> {
  private readonly states: { tick: number; time: number; view: V }[] = [];
  private readonly lateness: number[] = [];
  /** The current delay behind the server's clock (ms). */
  delayMs: number;
  private targetMs: number;
  private lastSampleAt: number | undefined;
  private readonly maxExtrapolationMs: number;

  constructor(
    private readonly timeline: MatchTimeline,
    private readonly interpolate: Interpolate<V> = lerpView,
    private readonly options: InterpolationOptions = {},
  ) {
    this.delayMs = options.fixedDelayMs ?? options.initialDelayMs ?? 2 * timeline.tickMs;
    this.targetMs = this.delayMs;
    this.maxExtrapolationMs = options.maxExtrapolationMs ?? 100;
  }

  /** A state of tick `tick` arrived at server time `arrivedAt`. Older or repeated ticks are ignored. */
  push(tick: number, view: V, arrivedAt: number): void {
    const newest = this.states[this.states.length - 1];
    if (newest && tick <= newest.tick) return;
    const time = this.timeline.timeOf(tick);
    this.states.push({ tick, time, view });
    if (this.states.length > KEPT) this.states.shift();
    this.lateness.push(arrivedAt - time);
    if (this.lateness.length > LATENESS_WINDOW) this.lateness.shift();
    if (this.options.fixedDelayMs === undefined) {
      const sorted = [...this.lateness].sort((a, b) => a - b);
      const p95 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))]!;
      this.targetMs = Math.max(this.timeline.tickMs, this.timeline.tickMs + p95);
      // The first state sets the delay outright: there is no motion to keep smooth yet.
      if (this.states.length === 1) this.delayMs = Math.max(this.delayMs, this.targetMs + this.timeline.tickMs);
    }
  }

  /** The median lateness of recent states (ms): the delay beyond it is the buffer. */
  medianLatenessMs(): number {
    if (!this.lateness.length) return 0;
    const sorted = [...this.lateness].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)]!;
  }

  get newestTick(): number | undefined {
    return this.states[this.states.length - 1]?.tick;
  }

  /** The view to draw at server time `serverNow` (undefined before any state). */
  sample(serverNow: number): Sampled<V> | undefined {
    this.adapt(serverNow);
    const states = this.states;
    if (!states.length) return undefined;
    const at = serverNow - this.delayMs;
    const first = states[0]!;
    if (states.length === 1 || at <= first.time) return { view: first.view, tick: first.tick, extrapolatedMs: 0 };
    const last = states[states.length - 1]!;
    if (at >= last.time) {
      const before = states[states.length - 2]!;
      // States stopped for longer than extrapolation may cover: the drawn time waits at the cap (the
      // delay grows by the wait) and goes on from there when they come, so nothing jumps forward.
      if (at - last.time > this.maxExtrapolationMs) this.delayMs = serverNow - (last.time + this.maxExtrapolationMs);
      const past = Math.min(at - last.time, this.maxExtrapolationMs);
      const t = (last.time + past - before.time) / (last.time - before.time);
      return { view: this.interpolate(before.view, last.view, t), tick: last.tick + past / this.timeline.tickMs, extrapolatedMs: past };
    }
    let i = states.length - 2;
    while (i > 0 && states[i]!.time > at) i--;
    const a = states[i]!;
    const b = states[i + 1]!;
    const t = (at - a.time) / (b.time - a.time);
    return { view: this.interpolate(a.view, b.view, t), tick: a.tick + t * (b.tick - a.tick), extrapolatedMs: 0 };
  }

  /** Moves the delay towards its target, stretching time a little at most. */
  private adapt(serverNow: number): void {
    const elapsed = this.lastSampleAt === undefined ? 0 : Math.max(0, Math.min(250, serverNow - this.lastSampleAt));
    this.lastSampleAt = serverNow;
    const gap = this.targetMs - this.delayMs;
    this.delayMs += gap > 0 ? Math.min(gap, elapsed * 0.25) : Math.max(gap, -elapsed * 0.05);
  }
}
