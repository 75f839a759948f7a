import { latencyWindow } from "./rating-window.ts";
import type { Latencies, PairingRules, Ticket } from "./types.ts";

/** The region a node runs in, when it never said (`REGION`'s default). */
export const DEFAULT_REGION = "local";

/** Where nodes run, as pairing sees them. */
export interface RegionView {
  /** The region of a node (`DEFAULT_REGION` when it never described itself). */
  regionOf(node: string): string;
  /** The live nodes of a region, in name order. */
  liveNodesIn(region: string): string[];
}

/** A ticket with the node its player is connected to. */
export interface Seated {
  ticket: Ticket;
  node: string;
}

/** Where two paired players meet: the region, the host there, and each player's latency to it. */
export interface Meeting {
  region: string;
  host: string;
  latencyMs: [number, number];
}

/** A player's latencies: as sent, or 0 ms to their node's region when they sent none. */
export function latenciesOf(seated: Seated, view: RegionView): Latencies {
  const sent = seated.ticket.latencies;
  return sent && Object.keys(sent).length > 0 ? sent : { [view.regionOf(seated.node)]: 0 };
}

/**
 * The region where both players are within their latency windows (each widened by their own wait)
 * and a live node can host: the one whose worse latency is lowest (then by name). The host is the
 * first player's node when it is in that region, else the second's, else the region's first live
 * node. `lua/pair.lua` decides the same way. Undefined when there is none (yet).
 */
export function meetingRegion(rules: PairingRules, first: Seated, second: Seated, now: number, view: RegionView): Meeting | undefined {
  const la = latenciesOf(first, view);
  const lb = latenciesOf(second, view);
  const wa = latencyWindow(rules, now - first.ticket.enqueuedAt);
  const wb = latencyWindow(rules, now - second.ticket.enqueuedAt);
  let best: (Meeting & { worst: number }) | undefined;
  for (const [region, ms] of Object.entries(la)) {
    if (!Object.hasOwn(lb, region)) continue;
    const other = lb[region]!;
    if (ms > wa || other > wb) continue;
    const worst = Math.max(ms, other);
    if (best && (worst > best.worst || (worst === best.worst && region >= best.region))) continue;
    const host = view.regionOf(first.node) === region ? first.node : view.regionOf(second.node) === region ? second.node : view.liveNodesIn(region)[0];
    if (host === undefined) continue;
    best = { region, host, worst, latencyMs: [ms, other] };
  }
  return best && { region: best.region, host: best.host, latencyMs: best.latencyMs };
}
