import { performance } from "node:perf_hooks";

/** Something driven by the scheduler: a room. */
export interface Tickable {
  /** Runs one tick; `deadline` is when it was due (performance.now() ms). */
  onTick(deadline: number): void;
}

export interface TickStats {
  /** How late a phase's pass started (ms), once per pass. */
  onLateness?(lateMs: number, tickRate: number): void;
  /** A member's tick finished this long (ms) after its own deadline: when its state actually left. */
  onMemberLateness?(lateMs: number): void;
  /** A phase fell more than a period behind and skipped this many ticks. */
  onSkip?(ticks: number, tickRate: number): void;
  /** A member threw: logged by the owner; the scheduler keeps going. */
  onError?(error: unknown): void;
}

/** Phases of one lane are this far apart (ms), at most: a pass holds a slice of the lane's rooms. */
const PHASE_SPACING_MS = 2;
/** A pass due this soon runs now: timers fire up to a millisecond early, and re-arming costs a millisecond more. */
const EARLY_MS = 0.5;

interface Phase {
  /** The cycle of the next deadline, which is lane origin + n * period + offset (Infinity: no members). */
  n: number;
  readonly offset: number;
  readonly members: Set<Tickable>;
}

interface Lane {
  readonly rate: number;
  readonly period: number;
  readonly origin: number;
  readonly phases: Phase[];
  /** Where new members go next, round robin over the phases. */
  cursor: number;
  size: number;
  /** The cycle of the next boundary (origin + m * period) and who waits for it. */
  m: number;
  readonly waiters: ((boundary: number) => void)[];
}

/**
 * Deadlines are computed from whole cycle numbers, never accumulated, so that a phase at offset 0
 * and the lane's cycle boundary fall on the very same number.
 */
const deadline = (lane: Lane, n: number, offset: number) => lane.origin + n * lane.period + offset;
/** The first cycle whose point (plus `offset`) comes after `after`. */
const cycleAfter = (lane: Lane, after: number, offset = 0) => Math.floor((after - lane.origin - offset) / lane.period) + 1;

/**
 * One scheduler per process drives every room. Each tick rate has a lane, split into phases a few
 * milliseconds apart; a room joins one phase and ticks on that phase's absolute deadlines
 * (origin + offset + n * period), so it keeps its exact period, and the rooms of a lane are spread
 * over the period instead of all waiting behind each other in one pass. One timer is armed at a
 * time, for the earliest phase. A phase that falls more than a period behind skips ahead.
 */
export class TickScheduler {
  private readonly lanes = new Map<number, Lane>();
  private readonly phaseOf = new Map<Tickable, { lane: Lane; phase: Phase }>();
  private timer: NodeJS.Timeout | null = null;
  private armedFor = Infinity;

  constructor(private readonly stats: TickStats = {}) {}

  add(member: Tickable, tickRate: number): void {
    let lane = this.lanes.get(tickRate);
    const now = performance.now();
    if (!lane) {
      const period = 1000 / tickRate;
      const count = Math.max(1, Math.floor(period / PHASE_SPACING_MS));
      lane = {
        rate: tickRate,
        period,
        origin: now,
        phases: Array.from({ length: count }, (_, i) => ({ n: Infinity, offset: (i * period) / count, members: new Set<Tickable>() })),
        cursor: 0,
        size: 0,
        m: 1,
        waiters: [],
      };
      this.lanes.set(tickRate, lane);
    }
    const phase = lane.phases[lane.cursor]!;
    lane.cursor = (lane.cursor + 1) % lane.phases.length;
    // An empty phase has no schedule: it starts at its first grid point from now.
    if (phase.members.size === 0) phase.n = cycleAfter(lane, now, phase.offset);
    phase.members.add(member);
    lane.size++;
    this.phaseOf.set(member, { lane, phase });
    this.arm();
  }

  remove(member: Tickable): void {
    const found = this.phaseOf.get(member);
    if (!found) return;
    this.phaseOf.delete(member);
    found.phase.members.delete(member);
    if (found.phase.members.size === 0) found.phase.n = Infinity;
    if (--found.lane.size === 0) {
      this.lanes.delete(found.lane.rate);
      for (const waiter of found.lane.waiters.splice(0)) waiter(NaN);
    }
    if (this.lanes.size === 0) this.disarm();
  }

  /**
   * Calls `callback` at the next cycle boundary of the lane of `tickRate` (origin + n * period),
   * once every pass due before it has run and none due after it: a reading taken there counts
   * whole periods. With no such lane, calls it at once with NaN.
   */
  atCycleBoundary(tickRate: number, callback: (boundary: number) => void): void {
    const lane = this.lanes.get(tickRate);
    if (!lane) return callback(NaN);
    // Passes due before now have run: the reading waits for the first boundary still ahead.
    lane.m = Math.max(lane.m, cycleAfter(lane, performance.now()));
    lane.waiters.push(callback);
    this.arm();
  }

  stop(): void {
    for (const lane of this.lanes.values()) for (const waiter of lane.waiters.splice(0)) waiter(NaN);
    this.lanes.clear();
    this.phaseOf.clear();
    this.disarm();
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.armedFor = Infinity;
  }

  private earliest(): number {
    let earliest = Infinity;
    for (const lane of this.lanes.values()) {
      for (const phase of lane.phases) earliest = Math.min(earliest, deadline(lane, phase.n, phase.offset));
      if (lane.waiters.length) earliest = Math.min(earliest, deadline(lane, lane.m, 0));
    }
    return earliest;
  }

  private arm(): void {
    const earliest = this.earliest();
    if (earliest === Infinity) return this.disarm();
    if (this.timer && earliest >= this.armedFor) return;
    if (this.timer) clearTimeout(this.timer);
    this.armedFor = earliest;
    this.timer = setTimeout(() => this.fire(), Math.max(0, earliest - performance.now() - EARLY_MS));
  }

  private fire(): void {
    this.timer = null;
    this.armedFor = Infinity;
    // Everything due, in deadline order: phase passes and cycle boundaries someone waits for.
    const due: { at: number; lane: Lane; phase?: Phase }[] = [];
    const horizon = performance.now() + EARLY_MS;
    for (const lane of this.lanes.values()) {
      // Boundaries with no one waiting just move along with time.
      if (!lane.waiters.length) lane.m = Math.max(lane.m, cycleAfter(lane, horizon));
      const boundary = deadline(lane, lane.m, 0);
      if (lane.waiters.length && boundary <= horizon) due.push({ at: boundary, lane });
      for (const phase of lane.phases) {
        const at = deadline(lane, phase.n, phase.offset);
        if (at <= horizon) due.push({ at, lane, phase });
      }
    }
    // At equal times the boundary comes first: a pass due at the boundary belongs to the next cycle.
    due.sort((a, b) => a.at - b.at || (a.phase ? 1 : 0) - (b.phase ? 1 : 0));
    for (const { at, lane, phase } of due) {
      if (phase) this.pass(lane, phase, at);
      else {
        lane.m++;
        for (const waiter of lane.waiters.splice(0)) waiter(at);
      }
    }
    this.arm();
  }

  private pass(lane: Lane, phase: Phase, due: number): void {
    this.stats.onLateness?.(Math.max(0, performance.now() - due), lane.rate);
    const { onMemberLateness } = this.stats;
    for (const member of [...phase.members]) {
      try {
        member.onTick(due);
      } catch (error) {
        this.stats.onError?.(error);
      }
      if (onMemberLateness) onMemberLateness(Math.max(0, performance.now() - due));
    }
    if (phase.members.size === 0) return;
    phase.n++;
    const next = cycleAfter(lane, performance.now(), phase.offset);
    if (next > phase.n) {
      this.stats.onSkip?.(next - phase.n, lane.rate);
      phase.n = next;
    }
  }
}
