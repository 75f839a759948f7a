import { meetingRegion, type Meeting, type RegionView } from "./meeting-region.ts";
import { muSpan, pairingDistance, reach } from "./rating-window.ts";
import type { SortedIndex } from "./sorted-index.ts";
import type { PairingRules, Ticket } from "./types.ts";

/** Whether `x` waited longer than `y` (ties broken by ticket id): the older ticket takes seat 0. */
export function olderTicket(x: Ticket, y: Ticket): boolean {
  return x.enqueuedAt < y.enqueuedAt || (x.enqueuedAt === y.enqueuedAt && x.ticketId < y.ticketId);
}

export interface PairingView {
  /** Ticket ids to start from, oldest first. */
  starts: string[];
  byRating: SortedIndex;
  ticket(id: string): Ticket | undefined;
  /** Whether the ticket's player is still connected to a live node. */
  alive(ticket: Ticket): boolean;
  /** The node the ticket's player is connected to. */
  nodeOf(ticket: Ticket): string;
  regions: RegionView;
}

/** Two tickets to pair, the older first, and where they meet. */
export interface Pairing {
  first: Ticket;
  second: Ticket;
  meeting: Meeting;
}

/**
 * One bounded pairing pass over a queue, the same rules as `lua/pair.lua`: from each start, the
 * nearest rating (Elo: gap; OpenSkill: predicted win chance nearest 0.5) within both tickets'
 * windows (the older ticket on ties) among `scanCandidates` each way of its mu, and only where
 * both are near one region (`meetingRegion`). Returns up to `limit` pairs, oldest first in each.
 */
export function findPairs(view: PairingView, game: string, mode: string, now: number, rules: PairingRules, limit: number): Pairing[] {
  const used = new Set<string>();
  const pairs: Pairing[] = [];
  const meet = (x: Ticket, y: Ticket): Pairing | undefined => {
    const [first, second] = olderTicket(x, y) ? [x, y] : [y, x];
    const meeting = meetingRegion(rules, { ticket: first, node: view.nodeOf(first) }, { ticket: second, node: view.nodeOf(second) }, now, view.regions);
    return meeting && { first, second, meeting };
  };
  for (const a of view.starts) {
    if (pairs.length >= limit) break;
    const ta = view.ticket(a);
    if (used.has(a) || !ta || ta.game !== game || ta.mode !== mode || !view.alive(ta)) continue;
    const ra = reach(rules, now - ta.enqueuedAt);
    const span = muSpan(rules, ta, ra);
    const candidates = new Set([
      ...view.byRating.rangeUp(ta.mu, ta.mu + span, rules.scanCandidates),
      ...view.byRating.rangeDown(ta.mu, ta.mu - span, rules.scanCandidates),
    ]);
    let best: Pairing | undefined;
    let bestDistance = Infinity;
    for (const c of candidates) {
      if (c === a || used.has(c)) continue;
      const tc = view.ticket(c)!;
      const distance = pairingDistance(rules, ta, tc);
      const better = !best || distance < bestDistance || (distance === bestDistance && olderTicket(tc, other(best, ta)));
      if (!better || distance > ra || distance > reach(rules, now - tc.enqueuedAt) || !view.alive(tc)) continue;
      const pairing = meet(ta, tc);
      if (!pairing) continue;
      best = pairing;
      bestDistance = distance;
    }
    if (!best) continue;
    used.add(best.first.ticketId).add(best.second.ticketId);
    pairs.push(best);
  }
  return pairs;
}

/** The ticket of a pairing that is not `ticket`. */
const other = (pairing: Pairing, ticket: Ticket): Ticket => (pairing.first === ticket ? pairing.second : pairing.first);
