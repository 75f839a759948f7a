import { performance } from "node:perf_hooks";

/** Something driven by the scheduler: a room. */
export interface Tickable {
  /** Runs one tick; `deadline` is when it was due (performance.now() ms). */
  onTick(deadline: number): void;
}

interface Lane {
  period: number;
  next: number;
  members: Set<Tickable>;
}

export interface TickStats {
  /** How late a tick ran (ms), once per lane tick. */
  onLateness?(lateMs: number, tickRate: number): void;
  /** A member's tick finished this long (ms) after its deadline: when its state actually left. */
  onMemberLateness?(lateMs: number): void;
  /** A lane finished its pass for `deadline`. */
  onLanePass?(tickRate: number, deadline: number): void;
  /** A lane fell more than a period behind and skipped this many ticks. */
  onSkip?(ticks: number, tickRate: number): void;
  /** A member threw: logged by the owner; the scheduler keeps going. */
  onError?(error: unknown): void;
}

/**
 * One scheduler per process drives every room. Rooms of one tick rate share a lane whose ticks fall
 * on absolute deadlines (start + n * period), so there is no drift; one timer is armed at a time,
 * for the earliest lane. A lane that falls more than a period behind skips ahead rather than bursting.
 */
export class TickScheduler {
  private readonly lanes = new Map<number, Lane>();
  private timer: NodeJS.Timeout | null = null;
  private armedFor = Infinity;

  constructor(private readonly stats: TickStats = {}) {}

  add(member: Tickable, tickRate: number): void {
    let lane = this.lanes.get(tickRate);
    if (!lane) {
      lane = { period: 1000 / tickRate, next: performance.now() + 1000 / tickRate, members: new Set() };
      this.lanes.set(tickRate, lane);
    }
    lane.members.add(member);
    this.arm();
  }

  remove(member: Tickable): void {
    for (const [rate, lane] of this.lanes) {
      if (lane.members.delete(member) && lane.members.size === 0) this.lanes.delete(rate);
    }
    if (this.lanes.size === 0) this.disarm();
  }

  stop(): void {
    this.lanes.clear();
    this.disarm();
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.armedFor = Infinity;
  }

  private arm(): void {
    let earliest = Infinity;
    for (const lane of this.lanes.values()) earliest = Math.min(earliest, lane.next);
    if (earliest === Infinity) return this.disarm();
    if (this.timer && earliest >= this.armedFor) return;
    if (this.timer) clearTimeout(this.timer);
    this.armedFor = earliest;
    this.timer = setTimeout(() => this.fire(), Math.max(0, earliest - performance.now()));
  }

  private fire(): void {
    this.timer = null;
    this.armedFor = Infinity;
    const now = performance.now();
    for (const [rate, lane] of this.lanes) {
      if (lane.next > now) continue;
      const deadline = lane.next;
      this.stats.onLateness?.(now - deadline, rate);
      const { onMemberLateness } = this.stats;
      for (const member of [...lane.members]) {
        try {
          member.onTick(deadline);
        } catch (error) {
          this.stats.onError?.(error);
        }
        if (onMemberLateness) onMemberLateness(performance.now() - deadline);
      }
      this.stats.onLanePass?.(rate, deadline);
      lane.next = deadline + lane.period;
      const after = performance.now();
      if (lane.next <= after) {
        const behind = Math.ceil((after - lane.next) / lane.period);
        this.stats.onSkip?.(behind, rate);
        lane.next += behind * lane.period;
      }
    }
    this.arm();
  }
}
