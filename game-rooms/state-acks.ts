import { performance } from "node:perf_hooks";
import type { RoomPort, SeatState } from "./room-types.ts";
import type { StreamStats } from "./stream-stats.ts";

/** The ticks whose send time is kept: an ack of an older one is taken, untimed. */
const SENT_RING = 128;

/** When each of a room's last `SENT_RING` states went out, to time their acks' round trips. */
export class SentTicks {
  private readonly at = new Float64Array(SENT_RING);
  private readonly tick = new Int32Array(SENT_RING).fill(-1);

  sent(tick: number): void {
    const slot = tick % SENT_RING;
    this.at[slot] = performance.now();
    this.tick[slot] = tick;
  }

  /** The round trip of an ack of `tick` (ms), or undefined when its send time is no longer kept. */
  roundTrip(tick: number): number | undefined {
    const slot = tick % SENT_RING;
    return this.tick[slot] === tick ? performance.now() - this.at[slot]! : undefined;
  }
}

/** What `takeAck` needs of a room that does not change: made once per room. */
export interface AckContext<R> {
  readonly room: R;
  readonly sent: SentTicks;
  readonly stats: StreamStats | undefined;
  readonly port: RoomPort<R>;
}

/** The room as the ack finds it. */
export interface AckMoment {
  /** The room's current tick. */
  tick: number;
  ended: boolean;
  ackEvery: number;
  now: number;
}

/**
 * `state:ack` of `tick` from a seat: acknowledges every state up to it, and records the round trip
 * of that tick. Stale acks, acks of ticks not sent yet and acks of non-players are dropped (and
 * counted); returns whether this one was taken. A lagging seat that acks is caught up.
 */
export function takeAck<R>(context: AckContext<R>, seat: SeatState | undefined, tick: number, at: AckMoment): boolean {
  const { stats, port, room } = context;
  if (!seat || !Number.isInteger(tick) || tick > at.tick || tick <= seat.lastAckTick) {
    if (stats) stats.counters.stateAcksDropped++;
    return false;
  }
  if (stats) {
    if (tick % at.ackEvery === 0) stats.counters.stateAcks++;
    else stats.counters.stateAcksExtra++;
  }
  // Acks of a room that just ended still count for the round trip; nothing else changes.
  seat.lastAckTick = tick;
  seat.lastAckAt = at.now;
  const rtt = context.sent.roundTrip(tick);
  if (rtt !== undefined) {
    seat.rttMs = rtt;
    stats?.rtt(rtt);
    port.onRtt?.(room, rtt);
  } else if (stats) stats.counters.stateAcksUntimed++;
  if (seat.lagging && !at.ended) {
    seat.lagging = false;
    port.onLagChange?.(room, seat, false);
  }
  return true;
}
