import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { LeanHistogram } from "./lean-histogram.ts";

/** Prometheus metrics of the game rooms on this node. */
export interface RoomMetrics {
  running: Gauge<"game">;
  tickLateness: Histogram<"tick_rate">;
  ticksSkipped: Counter<"tick_rate">;
  stateRtt: LeanHistogram;
  lagging: Gauge<"game">;
  ended: Histogram<"game" | "reason">;
}

export function createRoomMetrics(registry: Registry): RoomMetrics {
  return {
    running: new Gauge({ name: "arena_matches_running", help: "Matches hosted on this node", labelNames: ["game"], registers: [registry] }),
    tickLateness: new Histogram({
      name: "arena_tick_lateness_seconds",
      help: "How late each tick ran against its absolute deadline",
      labelNames: ["tick_rate"],
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1],
      registers: [registry],
    }),
    ticksSkipped: new Counter({
      name: "arena_ticks_skipped_total",
      help: "Ticks skipped because the scheduler fell more than a period behind",
      labelNames: ["tick_rate"],
      registers: [registry],
    }),
    // Observed once per acknowledged state: the lean kind.
    stateRtt: new LeanHistogram(
      "arena_state_ack_rtt_seconds",
      "Round trip from sending a state to receiving its state:ack",
      ["game"],
      [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1],
      registry,
    ),
    lagging: new Gauge({ name: "arena_players_lagging", help: "Players whose state acks have stopped", labelNames: ["game"], registers: [registry] }),
    ended: new Histogram({
      name: "arena_match_duration_seconds",
      help: "Duration of finished matches by end reason",
      labelNames: ["game", "reason"],
      buckets: [1, 5, 15, 30, 60, 120, 300, 600],
      registers: [registry],
    }),
  };
}

/**
 * The child of a labelled metric for one set of label values, made once and kept: prom-client
 * hashes the labels on every `observe`/`inc` otherwise, which shows in the hot path's profile.
 */
export function cachedChild<C>(metric: { labels(...values: string[]): unknown }): (...values: string[]) => C {
  const children = new Map<string, C>();
  return (...values) => {
    const key = values.join("\u0000");
    let child = children.get(key);
    if (!child) children.set(key, (child = metric.labels(...values) as C));
    return child;
  };
}
