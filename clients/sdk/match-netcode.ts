import type { PlayableRules, Seat } from "../../protocol/index.ts";
import { MatchTimeline, type ServerClock } from "./clock.ts";
import { Interpolator, type InterpolationOptions } from "./interpolation.ts";
import { Predictor, type PredictionOptions } from "./prediction.ts";
import { lerpView } from "./view-math.ts";

export interface NetcodeOptions {
  /** Predict the seat's own inputs with the game's rules (default: when the game has `netcode.fromView`). */
  predict?: boolean;
  interpolation?: InterpolationOptions;
  prediction?: PredictionOptions;
}

/** What a frame draws: the view, and the tick it shows (fractional). */
export interface Frame<V> {
  view: V;
  tick: number;
}

/** The netcode's numbers for a debug overlay and telemetry. */
export interface NetStats {
  /** Median `time:sync` round trip (ms). */
  rttMs: number | undefined;
  /** The server's clock minus this client's (ms). */
  clockOffsetMs: number;
  /** How far behind the server's clock remote things are drawn (ms), and how much of it is buffer beyond the median lateness. */
  delayMs: number;
  bufferMs: number;
  /** How far past the newest state the last frame extrapolated (ms). */
  extrapolatedMs: number;
  predicted: boolean;
  /** Corrections of the prediction in the last second, and since the match started. */
  correctionsPerSecond: number;
  corrections: number;
  /** The distance between the predicted and authoritative own view at the last state's tick. */
  drift: number;
  driftMax: number;
  pendingInputs: number;
}

/** A match as the client draws it: states interpolated, the seat's own inputs predicted. */
export class MatchNetcode<V, I> {
  readonly timeline: MatchTimeline;
  private readonly interpolator: Interpolator<V>;
  private readonly predictor: Predictor<unknown, I, V> | undefined;
  private latest: { tick: number; view: V };
  private readonly correctionTimes: number[] = [];
  private lastCorrections = 0;
  private extrapolatedMs = 0;
  /** The predicted tick when the last input was made: a frame whose time is earlier (its callback ran after the input) draws the own part from there. */
  private lastInputTick = -Infinity;

  constructor(
    private readonly clock: ServerClock,
    private readonly rules: PlayableRules<unknown, I, V> | undefined,
    /** The game's kind (`GET /v1/games`): real-time states are interpolated, turn-based ones shown as they come. */
    private readonly kind: "realtime" | "turns",
    start: { tick: number; state: V; tickRate: number; tickZeroAt: number; inputSeq?: readonly number[] },
    /** The seat this client plays (undefined: it watches). */
    private readonly seat: Seat | undefined,
    options: NetcodeOptions = {},
  ) {
    this.timeline = new MatchTimeline(start.tickZeroAt, start.tickRate);
    this.interpolator = new Interpolator<V>(this.timeline, rules?.netcode?.interpolate ?? lerpView, {
      initialDelayMs: 2 * this.timeline.tickMs + (clock.rttMs ?? 0) / 2,
      ...options.interpolation,
    });
    this.latest = { tick: start.tick, view: start.state };
    this.interpolator.push(start.tick, start.state, clock.now());
    const fromView = rules?.netcode?.fromView;
    if (rules && fromView && seat !== undefined && options.predict !== false) {
      this.predictor = new Predictor<unknown, I, V>(
        rules,
        { ...rules.netcode, fromView },
        seat,
        this.timeline,
        { tick: start.tick, view: start.state, inputSeq: start.inputSeq?.[seat] ?? 0 },
        options.prediction,
      );
    }
  }

  get predicting(): boolean {
    return this.predictor !== undefined;
  }

  /** The tick the prediction runs at (fractional), now or at server time `serverTime`: where an input sent then lands on the server. */
  predictedTick(serverTime = this.clock.now()): number {
    return this.timeline.tickAt(serverTime + (this.clock.rttMs ?? 0) / 2);
  }

  /** An authoritative state arrived. */
  state(tick: number, view: V, inputSeq: readonly number[] | undefined): void {
    const now = this.clock.now();
    if (tick > this.latest.tick) this.latest = { tick, view };
    this.interpolator.push(tick, view, now);
    if (this.predictor && this.seat !== undefined) {
      this.predictor.authoritative(tick, view, inputSeq?.[this.seat] ?? 0, performance.now());
      this.noteCorrections();
    }
  }

  /** An input of the seat, sent with `seq`: applied to the prediction at once. */
  input(seq: number, input: I): void {
    this.lastInputTick = this.predictedTick();
    this.predictor?.input(seq, input, Math.floor(this.lastInputTick) + 1);
  }

  /** The server refused input `seq` (an error answer): the prediction rolls it back. */
  refuse(seq: number): void {
    this.predictor?.refuse(seq, performance.now());
    this.noteCorrections();
  }

  /**
   * What to draw now, or at `at` (a `performance.now()` time, e.g. a requestAnimationFrame
   * timestamp: the frame then shows the match at the moment it is displayed, however late its
   * callback runs).
   */
  frame(at = performance.now()): Frame<V> {
    const serverTime = this.clock.at(at);
    // Turns are not motion: the newest state, or the prediction while a move waits for its answer.
    if (this.kind === "turns") {
      const view = this.predictor?.hasPending ? this.predictor.viewAt(this.predictedTick(serverTime), at) : this.latest.view;
      return { view, tick: this.latest.tick };
    }
    const sampled = this.interpolator.sample(serverTime);
    this.extrapolatedMs = sampled?.extrapolatedMs ?? 0;
    const shown = sampled ?? { view: this.latest.view, tick: this.latest.tick };
    if (!this.predictor || this.seat === undefined) return shown;
    const predicted = this.predictor.viewAt(Math.max(this.predictedTick(serverTime), this.lastInputTick), at);
    const own = this.rules?.netcode?.own;
    return { view: own ? own(shown.view, predicted, this.seat) : predicted, tick: shown.tick };
  }

  stats(): NetStats {
    const now = performance.now();
    while (this.correctionTimes.length && this.correctionTimes[0]! < now - 1000) this.correctionTimes.shift();
    const p = this.predictor?.stats;
    return {
      rttMs: this.clock.rttMs,
      clockOffsetMs: this.clock.offsetMs,
      delayMs: this.interpolator.delayMs,
      bufferMs: this.interpolator.delayMs - this.interpolator.medianLatenessMs(),
      extrapolatedMs: this.extrapolatedMs,
      predicted: this.predictor !== undefined,
      correctionsPerSecond: this.correctionTimes.length,
      corrections: p?.corrections ?? 0,
      drift: p?.driftLast ?? 0,
      driftMax: p?.driftMax ?? 0,
      pendingInputs: p?.pending ?? 0,
    };
  }

  private noteCorrections(): void {
    const count = this.predictor?.stats.corrections ?? 0;
    for (; this.lastCorrections < count; this.lastCorrections++) this.correctionTimes.push(performance.now());
  }
}
