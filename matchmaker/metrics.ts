import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { QueueStore } from "./store.ts";

/** Prometheus metrics of the matchmaker, registered on the node's registry. */
export interface MatchmakerMetrics {
  pairings: Counter<"game" | "mode">;
  timeToPair: Histogram<"game" | "mode" | "region">;
  /** How far seat 0's predicted chance to win lies from an even match, per pairing. */
  winChanceDistance: Histogram<"game" | "mode" | "region">;
  /** Each paired player's latency to the region the pair meets in (as the client measured it; 0 when it sent none). */
  pairingLatency: Histogram<"game" | "mode" | "region">;
  readyChecks: Counter<"game" | "outcome">;
  expired: Counter<"game">;
}

export function createMatchmakerMetrics(registry: Registry, store: Pick<QueueStore, "queueSizes">, games: string[]): MatchmakerMetrics {
  new Gauge({
    name: "arena_queue_length",
    help: "Tickets waiting per queue (game and mode), across all nodes",
    labelNames: ["game", "mode"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const game of games) {
        const sizes = await store.queueSizes(game).catch(() => ({}));
        for (const [mode, size] of Object.entries(sizes)) this.set({ game, mode }, size);
      }
    },
  });
  return {
    pairings: new Counter({ name: "arena_pairings_total", help: "Pairs made by this node's matcher", labelNames: ["game", "mode"], registers: [registry] }),
    timeToPair: new Histogram({
      name: "arena_time_to_pair_seconds",
      help: "Time from queue:join (or requeue) to the pairing, per game, mode and the host's region",
      labelNames: ["game", "mode", "region"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    winChanceDistance: new Histogram({
      name: "arena_pairing_win_chance_distance",
      help: "|seat 0's predicted chance to win - 0.5| of each pairing (0: an even match)",
      labelNames: ["game", "mode", "region"],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5],
      registers: [registry],
    }),
    pairingLatency: new Histogram({
      name: "arena_pairing_latency_seconds",
      help: "Each paired player's measured round trip to the region the pair meets in, per game, mode and region",
      labelNames: ["game", "mode", "region"],
      buckets: [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1],
      registers: [registry],
    }),
    readyChecks: new Counter({
      name: "arena_ready_checks_total",
      help: "Ready check outcomes: started, ready_timeout, opponent_left",
      labelNames: ["game", "outcome"],
      registers: [registry],
    }),
    expired: new Counter({
      name: "arena_tickets_expired_total",
      help: "Tickets expired because their node went silent",
      labelNames: ["game"],
      registers: [registry],
    }),
  };
}
