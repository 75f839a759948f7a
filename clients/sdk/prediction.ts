import type { GameNetcode, PlayableRules, Seat } from "../../protocol/index.ts";
import type { MatchTimeline } from "./clock.ts";
import { lerpView, offsetView, subtractViews, viewDistance } from "./view-math.ts";

/** An input applied locally and not yet confirmed by a state's `inputSeq`. */
interface PendingInput<I> {
  seq: number;
  input: I;
  /** The tick it applies at in the prediction (the server applies it at the tick it arrives in). */
  tick: number;
}

export interface PredictionOptions {
  /** Corrections are smoothed over this long (ms; default 150). */
  smoothingMs?: number;
  /** An input still unconfirmed by a state this many ticks after its tick is taken as lost (default a quarter second of ticks). */
  lostAfterTicks?: number;
}

/** Prediction's telemetry: how far it was from the server, and how often it was corrected. */
export interface PredictionStats {
  /** The distance between the predicted and the authoritative view of the seat's own part at the last state's tick. */
  driftLast: number;
  /** The largest drift seen. */
  driftMax: number;
  /** Authoritative states that moved the prediction. */
  corrections: number;
  /** Inputs still unconfirmed. */
  pending: number;
}

type Clock = { epochOfTick(tick: number): number };

/**
 * Client-side prediction and server reconciliation (Gambetta's), with the game's own rules: the
 * seat's inputs apply at once to a local copy of the match, which the rules step ahead of the
 * server; each authoritative state rebuilds it (`netcode.fromView`) at the state's tick and replays
 * the inputs the server had not applied yet (`inputSeq`). A correction is drawn away over a short
 * window instead of snapping.
 */
export class Predictor<S, I, V> {
  private pending: PendingInput<I>[] = [];
  /** Inputs sent and their seqs, to know the last one the server applied (the view does not show it). */
  private readonly sent = new Map<number, I>();
  private lastApplied: I | undefined;
  /** The last authoritative state: the prediction is rebuilt from it. */
  private base: { tick: number; view: V };
  /** The prediction: the state at `tick`, stepped from the last authoritative one. */
  private state: S;
  private tick: number;
  /** The predicted views of recent ticks, to measure the drift when the server's state for that tick arrives. */
  private readonly history = new Map<number, V>();
  /** The tick after `tick`, computed ahead for drawing between ticks (reset when an input or a state changes it). */
  private next: { tick: number; view: V } | undefined;
  private correction: { offset: unknown; at: number } | undefined;
  private readonly smoothingMs: number;
  private readonly lostAfterTicks: number;
  readonly stats: PredictionStats = { driftLast: 0, driftMax: 0, corrections: 0, pending: 0 };

  constructor(
    private readonly rules: PlayableRules<S, I, V>,
    private readonly netcode: Required<Pick<GameNetcode<S, I, V>, "fromView">> & GameNetcode<S, I, V>,
    private readonly seat: Seat,
    private readonly timeline: MatchTimeline,
    start: { tick: number; view: V; inputSeq: number },
    options: PredictionOptions = {},
  ) {
    this.smoothingMs = options.smoothingMs ?? 150;
    // Inputs land at about the tick they are stamped with: a quarter of a second later, unconfirmed, they are lost.
    this.lostAfterTicks = options.lostAfterTicks ?? Math.ceil(timeline.tickRate / 4);
    this.tick = start.tick;
    this.base = { tick: start.tick, view: start.view };
    this.state = netcode.fromView(start.view, seat, undefined, start.tick);
  }

  private get clock(): Clock {
    return { epochOfTick: (tick) => this.timeline.timeOf(tick) };
  }

  /** Applies an input of the seat in the prediction, at `tick` (the tick after the predicted one). */
  input(seq: number, input: I, tick: number): void {
    this.advance(tick - 1);
    this.sent.set(seq, input);
    this.pending.push({ seq, input, tick: Math.max(tick, this.tick + 1) });
    this.next = undefined;
    this.stats.pending = this.pending.length;
  }

  /** The server refused an input (its answer was an error): it never applied, and never will. */
  refuse(seq: number, now: number): void {
    // Forgotten as sent: it never counts as the last input the server applied.
    this.sent.delete(seq);
    if (!this.pending.some((p) => p.seq === seq)) return;
    const before = this.before(now);
    this.pending = this.pending.filter((p) => p.seq !== seq);
    this.stats.pending = this.pending.length;
    this.rebuildFrom(this.base);
    this.smooth(before, now);
  }

  /** An authoritative state: rebuilds the prediction from it and replays the inputs it had not seen. */
  authoritative(tick: number, view: V, inputSeq: number, now: number): void {
    const predictedThen = this.history.get(tick);
    if (predictedThen !== undefined) {
      const own = this.netcode.own ? this.netcode.own(view, predictedThen, this.seat) : predictedThen;
      this.stats.driftLast = viewDistance(own, view);
      this.stats.driftMax = Math.max(this.stats.driftMax, this.stats.driftLast);
    }
    for (const [seq, input] of this.sent) {
      if (seq > inputSeq) continue;
      this.lastApplied = input;
      this.sent.delete(seq);
    }
    // An input the server never confirms (lost, or refused unanswered) stops being replayed.
    this.pending = this.pending.filter((p) => p.seq > inputSeq && p.tick > tick - this.lostAfterTicks);
    this.stats.pending = this.pending.length;
    const before = this.tick >= tick ? this.before(now) : undefined;
    this.base = { tick, view };
    this.rebuildFrom(this.base);
    if (before !== undefined) this.smooth(before, now);
  }

  /** Restarts the prediction at the base state and steps it back to where it was, with the pending inputs. */
  private rebuildFrom(base: { tick: number; view: V }): void {
    const target = Math.max(this.tick, base.tick);
    this.state = this.netcode.fromView(base.view, this.seat, this.lastApplied, base.tick);
    this.tick = base.tick;
    this.next = undefined;
    for (const p of this.pending) if (p.tick <= base.tick) this.apply(this.state, p.input, this.tick);
    this.advance(target);
  }

  /** Steps the prediction to `tick`, applying each pending input at its tick. */
  advance(tick: number): void {
    while (this.tick < tick) {
      this.tick += 1;
      for (const p of this.pending) if (p.tick === this.tick) this.apply(this.state, p.input, this.tick);
      this.rules.step(this.state, this.tick);
      this.history.set(this.tick, this.rules.view(this.state, this.clock, this.seat));
      this.history.delete(this.tick - 4 * this.lostAfterTicks);
      this.next = undefined;
    }
  }

  private apply(state: S, input: I, tick: number): void {
    try {
      this.rules.apply(state, this.seat, input, tick);
    } catch {
      // The rules refuse it here too (not the seat's turn, an illegal move): the server will as well.
    }
  }

  /** The predicted view at a fractional tick (drawn between the predicted tick and the next), corrections smoothed in. */
  viewAt(tick: number, now: number): V {
    return this.corrected(this.rawViewAt(tick), now);
  }

  /** A raw view with the running correction's remaining part laid over it. */
  private corrected(view: V, now: number): V {
    const k = this.correction ? 1 - (now - this.correction.at) / this.smoothingMs : 0;
    if (k <= 0) this.correction = undefined;
    return this.correction ? offsetView(view, this.correction.offset, k) : view;
  }

  /** The prediction at a fractional tick, without smoothing. */
  private rawViewAt(tick: number): V {
    const whole = Math.floor(tick);
    this.advance(whole);
    const current = this.rules.view(this.state, this.clock, this.seat);
    let view = current;
    // A turn game's move is not motion: it shows whole, from the moment it is made.
    const fraction = this.rules.kind === "turns" ? 1 : tick - this.tick;
    if (fraction > 0) {
      if (this.next?.tick !== this.tick + 1) {
        const ahead = structuredClone(this.state);
        for (const p of this.pending) if (p.tick === this.tick + 1) this.apply(ahead, p.input, this.tick + 1);
        this.rules.step(ahead, this.tick + 1);
        this.next = { tick: this.tick + 1, view: this.rules.view(ahead, this.clock, this.seat) };
      }
      view = fraction >= 1 ? this.next.view : (this.netcode.interpolate ?? lerpView)(current, this.next.view, fraction);
    }
    return view;
  }

  /** The prediction at its tick before a rebuild: as computed, and as drawn (a running correction included). */
  private before(now: number): { raw: V; drawn: V } {
    const raw = this.rawViewAt(this.tick);
    return { raw, drawn: this.corrected(raw, now) };
  }

  /**
   * After a rebuild: when it moved the seat's own part, what was drawn stays drawn and the
   * difference fades over the smoothing window. A rebuild that changed nothing leaves a running
   * correction to finish in its own time. The rest of the prediction is never drawn, so never smoothed.
   */
  private smooth(before: { raw: V; drawn: V }, now: number): void {
    // Turns are not motion: a rolled-back move is gone at once.
    if (this.rules.kind !== "realtime") return;
    const after = this.rawViewAt(this.tick);
    const own = (view: V) => (this.netcode.own ? this.netcode.own(after, view, this.seat) : view);
    if (viewDistance(own(before.raw), after) < 1e-9) return;
    this.stats.corrections += 1;
    this.correction = { offset: subtractViews(own(before.drawn), after), at: now };
  }

  /** Whether inputs wait for the server's word (turn games show the prediction only then). */
  get hasPending(): boolean {
    return this.pending.length > 0;
  }
}
