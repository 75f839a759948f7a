import { ArenaError, ErrorCode, type EndReason, type MatchStart, type PlayerId, type Seat, type StatePayload } from "../protocol/index.ts";
import type { AnyGame, Outcome } from "./games/game-module.ts";
import type { Tickable } from "./tick-scheduler.ts";
import { ReplayLog } from "./replay-log.ts";
import { SentTicks, takeAck, type AckContext, type AckMoment } from "./state-acks.ts";
import { MAX_REPLAY_INPUTS, type RoomOptions, type RoomPort, type RoomSnapshot, type SeatState, type SnapshotParts } from "./room-types.ts";

/**
 * A running match, server-authoritative: inputs are queued and applied at the next tick in order,
 * state goes out each tick (or on change for turn-based games) with an ack whose round trip is
 * recorded. All bookkeeping happens in `onTick`: no timer per room, per emit or per seat.
 */
export class Room implements Tickable {
  readonly state: unknown;
  tick = 0;
  readonly startedAt: number;
  ended = false;
  /** A restored room waits for both players before it ticks again. */
  resuming: boolean;
  /** Every input that changed the state: with the seed, the whole match (its replay). */
  readonly replay: ReplayLog;
  /** Who watches the match, and from which node; the nodes with spectators. */
  readonly spectators = new Map<PlayerId, string>();
  spectatorNodes = new Set<string>();
  readonly mode: string;
  /** The epoch of this host's claim on the match (`MatchRecord.epoch`). */
  readonly hostEpoch: number;
  /** Whether the match may change ratings: a casual mode, or a direct match, changes none. */
  readonly rated: boolean;
  /** The wall-clock time of tick 0 (moved on when a restored room resumes, so deadlines pause with it). */
  private tickEpoch: number;
  /** When the last states went out, to time their acks; what an ack needs (one object per room, none per ack). */
  private readonly sent = new SentTicks();
  private readonly acks: AckContext<Room>;
  private readonly ackMoment: AckMoment = { tick: 0, ended: false, ackEvery: 1, now: 0 };
  private readonly now: () => number;
  /** Clients acknowledge every state whose tick is a multiple of this. */
  readonly ackEvery: number;
  /** The tick at which the match has run its game's `maxDurationS`. */
  private readonly maxTicks: number;

  constructor(
    readonly matchId: string,
    readonly game: AnyGame,
    readonly seats: [SeatState, SeatState],
    readonly seed: number,
    private readonly port: RoomPort<Room>,
    private readonly options: RoomOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.state = options.restore ? (game.revive ? game.revive(options.restore.state) : options.restore.state) : game.init(seed);
    this.tick = options.restore?.tick ?? 0;
    this.replay = new ReplayLog(options.maxReplayInputs ?? MAX_REPLAY_INPUTS, options.restore?.inputs);
    if (options.restore?.truncated) this.replay.truncated = true;
    this.mode = options.mode ?? "ranked";
    this.hostEpoch = options.hostEpoch ?? 1;
    this.rated = options.rated ?? this.mode !== "casual";
    this.resuming = options.restore !== undefined;
    this.maxTicks = Math.max(1, Math.round(game.maxDurationS * game.tickRate));
    this.ackEvery = game.kind === "realtime" ? options.ackEvery : 1;
    this.startedAt = this.now();
    this.tickEpoch = this.startedAt - (this.tick * 1000) / game.tickRate;
    this.acks = { room: this, sent: this.sent, stats: options.stats, port };
  }

  /** The wall-clock time at which a tick falls, for views with deadlines. */
  epochOfTick(tick: number): number {
    return this.tickEpoch + (tick * 1000) / this.game.tickRate;
  }

  /**
   * The room as another host would resume it: its state, and only the inputs logged since the last
   * snapshot the store kept (it appends them), so that a snapshot costs the state, not the match.
   */
  snapshot(): SnapshotParts {
    const [a, b] = this.seats;
    const head: RoomSnapshot = { v: 2, seed: this.seed, tick: this.tick, state: this.state, lastSeq: [a.lastSeq, b.lastSeq] };
    if (this.spectators.size) head.spectators = [...this.spectators];
    return { head: JSON.stringify(head), ...this.replay.unsaved() };
  }

  seatOf(playerId: PlayerId): SeatState | undefined {
    const [a, b] = this.seats;
    return a.playerId === playerId ? a : b.playerId === playerId ? b : undefined;
  }

  /** `ref` is the delivering node's (it names the match on the player's connection): 0 until then. */
  startPayload(seat: SeatState): MatchStart {
    const { game, tick } = this;
    const state = game.view(this.state, this, seat.seat);
    return {
      matchId: this.matchId,
      seat: seat.seat,
      tickRate: game.tickRate,
      ackEvery: this.ackEvery,
      tick,
      state,
      inputSeq: this.inputSeq(),
      tickZeroAt: this.tickEpoch,
      ref: 0,
    };
  }

  /** Per seat, the highest input seq applied so far. */
  inputSeq(): [number, number] {
    return [Math.max(0, this.seats[0].lastSeq), Math.max(0, this.seats[1].lastSeq)];
  }

  /** What a spectator sees now. */
  spectatorState(): StatePayload {
    return { matchId: this.matchId, tick: this.tick, state: this.game.view(this.state, this), inputSeq: this.inputSeq() };
  }

  /** Sends `match:start` to both players. */
  start(): void {
    for (const seat of this.seats) this.port.sendStart(this, seat, this.startPayload(seat), false);
  }

  /**
   * Queues an input for the next tick. `resolve` gets the tick that applied it, `reject` the game's
   * refusal; an input sent without an answer passes neither. Throws (ArenaError) what is known at
   * once: not a player, the match is over, too many inputs queued.
   */
  queueInput(playerId: PlayerId, seq: number, input: unknown, resolve?: (tick: number) => void, reject?: (error: ArenaError) => void): void {
    const seat = this.seatOf(playerId);
    if (!seat) throw new ArenaError(ErrorCode.NOT_IN_MATCH, "not a player of this match");
    if (this.options.stats) this.options.stats.counters.inputs++;
    if (this.ended) throw new ArenaError(ErrorCode.UNKNOWN_MATCH, "the match is over");
    // Duplicates and stale inputs are ignored, not errors: a client may resend after a reconnect.
    const queued = seat.inputs;
    if (seq <= seat.lastSeq || queued.has(seq)) return resolve?.(this.tick);
    if (queued.length >= this.options.maxQueuedInputs) throw new ArenaError(ErrorCode.RATE_LIMITED, "too many inputs queued for one tick");
    // Applied in seq order, whatever order they came in.
    queued.push(seq, input, resolve, reject);
  }

  /** `queueInput` as a promise of the tick that applied the input. */
  enqueueInput(playerId: PlayerId, seq: number, input: unknown): Promise<number> {
    return new Promise((resolve, reject) => this.queueInput(playerId, seq, input, resolve, reject));
  }

  /** `state:ack` of `tick` from a player (`takeAck`); returns whether it was taken. */
  acknowledge(playerId: PlayerId, tick: number): boolean {
    this.ackMoment.tick = this.tick;
    this.ackMoment.ended = this.ended;
    this.ackMoment.ackEvery = this.ackEvery;
    this.ackMoment.now = this.now();
    return takeAck(this.acks, this.seatOf(playerId), tick, this.ackMoment);
  }

  disconnected(playerId: PlayerId): void {
    const seat = this.seatOf(playerId);
    if (!seat || !seat.connected) return;
    seat.connected = false;
    seat.disconnectedAt = this.now();
  }

  /** The player is back (on `node`): `match:resumed` with the full state. */
  reconnected(playerId: PlayerId, node: string): void {
    const seat = this.seatOf(playerId);
    if (!seat || this.ended) return;
    seat.connected = true;
    seat.node = node;
    seat.lastAckAt = this.now();
    this.port.sendStart(this, seat, this.startPayload(seat), true);
  }

  /** `match:leave`: the leaver forfeits. */
  forfeit(playerId: PlayerId): void {
    const seat = this.seatOf(playerId);
    if (!seat) throw new ArenaError(ErrorCode.NOT_IN_MATCH, "not a player of this match");
    this.end("forfeit", seat.seat === 0 ? 1 : 0);
  }

  abort(): void {
    this.end("aborted", null);
  }

  onTick(): void {
    if (this.ended) return;
    if (this.resuming && !this.resume()) return;
    this.tick += 1;
    let changed = false;
    for (const seat of this.seats) {
      const queued = seat.inputs;
      if (queued.length === 0) continue;
      for (let i = 0; i < queued.length; i++) {
        seat.lastSeq = Math.max(seat.lastSeq, queued.seqAt(i));
        const input = queued.inputAt(i);
        try {
          // An input that changed nothing (the same direction again) is not kept for the replay.
          if (this.game.apply(this.state, seat.seat, input, this.tick) !== false) {
            this.replay.log({ tick: this.tick, seat: seat.seat, input });
            changed = true;
          }
          queued.resolveAt(i)?.(this.tick);
        } catch (error) {
          queued.rejectAt(i)?.(error instanceof ArenaError ? error : new ArenaError(ErrorCode.INTERNAL, "input failed", { cause: error }));
        }
      }
      queued.clear();
    }
    changed = this.game.step(this.state, this.tick) || changed;
    const outcome: Outcome = this.game.outcome(this.state);
    if (outcome.kind !== "none") {
      this.emitState();
      if (outcome.kind === "draw") this.end("draw", null);
      else if (outcome.kind === "win") this.end("win", outcome.seat);
      else this.end("forfeit", outcome.seat === 0 ? 1 : 0);
      return;
    }
    // Every match ends: at its game's longest duration, the game's rule decides (a draw by default).
    if (this.tick >= this.maxTicks) {
      this.emitState();
      const rule: Outcome = this.game.timeUp?.(this.state) ?? { kind: "draw" };
      this.end("time", rule.kind === "win" ? rule.seat : rule.kind === "forfeit" ? (rule.seat === 0 ? 1 : 0) : null);
      return;
    }
    if (changed) this.emitState();
    this.checkSeats();
  }

  private emitState(): void {
    this.sent.sent(this.tick);
    let reached = 0;
    let shared: StatePayload | undefined;
    const inputSeq = this.inputSeq();
    if (this.game.viewPerSeat) {
      for (const seat of this.seats) {
        if (!seat.connected) continue;
        const payload: StatePayload = { matchId: this.matchId, tick: this.tick, state: this.game.view(this.state, this, seat.seat), inputSeq };
        if (this.port.sendState(this, seat, payload)) reached++;
      }
    } else {
      shared = { matchId: this.matchId, tick: this.tick, state: this.game.view(this.state, this), inputSeq };
      reached = this.port.broadcastState(this, shared);
    }
    // Spectators see the shared view (a hidden-information game's view for no seat).
    if (this.spectators.size) this.port.sendSpectators?.(this, "state", shared ?? this.spectatorState());
    const stats = this.options.stats;
    if (stats) {
      stats.counters.statesSent += reached;
      if (this.tick % this.ackEvery === 0) stats.counters.statesOwedAck += reached;
    }
  }

  /**
   * A restored room goes on once both players are back: its clock restarts at the snapshot's tick.
   * Meanwhile only the grace period runs. Returns whether the room ticks now.
   */
  private resume(): boolean {
    if (!this.seats.every((seat) => seat.connected)) {
      this.checkGrace(this.now());
      return false;
    }
    const now = this.now();
    this.resuming = false;
    this.tickEpoch = now - (this.tick * 1000) / this.game.tickRate;
    for (const seat of this.seats) seat.lastAckAt = now;
    return true;
  }

  /** Ends the match when a seat stayed away longer than the grace period; returns whether it ended. */
  private checkGrace(now: number): boolean {
    const [a, b] = this.seats;
    const goneA = !a.connected && now - a.disconnectedAt > this.options.graceMs;
    const goneB = !b.connected && now - b.disconnectedAt > this.options.graceMs;
    if (goneA && goneB) this.end("aborted", null);
    else if (goneA || goneB) this.end("abandoned", goneA ? 1 : 0);
    return goneA || goneB;
  }

  private checkSeats(): void {
    const now = this.now();
    if (this.checkGrace(now)) return;
    if (this.game.kind !== "realtime") return;
    for (const seat of this.seats) {
      const lagging = seat.connected && now - seat.lastAckAt > this.options.lagMs;
      if (lagging !== seat.lagging) {
        seat.lagging = lagging;
        this.port.onLagChange?.(this, seat, lagging);
      }
    }
  }

  private end(reason: EndReason, winner: Seat | null): void {
    if (this.ended) return;
    this.ended = true;
    for (const seat of this.seats) {
      seat.inputs.rejectAll(() => new ArenaError(ErrorCode.UNKNOWN_MATCH, "the match is over"));
    }
    this.port.finish(this, reason, winner);
  }
}
