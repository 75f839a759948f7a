import { Counter, Gauge, Registry, collectDefaultMetrics } from "prom-client";
import { LeanCounter } from "../game-rooms/index.ts";

/** The process's Prometheus registry and the server-level metrics. */
export interface ServerMetrics {
  registry: Registry;
  connections: Gauge<"game">;
  authFailures: Counter<"fault">;
  /** Counted once per client event (an input, an ack): the lean kind. */
  events: LeanCounter;
  rateLimited: Counter<"game">;
}

/** Creates a fresh registry (one per server instance, so several can live in one test process). */
export function createServerMetrics(nodeId: string): ServerMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ node: nodeId });
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    connections: new Gauge({ name: "arena_connections", help: "Connected players per game", labelNames: ["game"], registers: [registry] }),
    authFailures: new Counter({ name: "arena_auth_failures_total", help: "Refused handshakes by fault", labelNames: ["fault"], registers: [registry] }),
    events: new LeanCounter("arena_events_total", "Client events by outcome (ok or error code)", ["game", "event", "outcome"], registry),
    rateLimited: new Counter({ name: "arena_rate_limited_total", help: "Events refused by the rate limit", labelNames: ["game"], registers: [registry] }),
  };
}
