import { ratingWindow } from "./rating-window.ts";
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
}

/**
 * One bounded pairing pass over a queue, the same rules as `lua/pair.lua`: from each start, the
 * nearest rating within both tickets' windows (the older ticket on ties) among `scanCandidates`
 * each way. Returns up to `limit` pairs, oldest first in each.
 */
export function findPairs(view: PairingView, game: string, mode: string, now: number, rules: PairingRules, limit: number): [Ticket, Ticket][] {
  const used = new Set<string>();
  const pairs: [Ticket, Ticket][] = [];
  for (const a of view.starts) {
    if (pairs.length >= limit) break;
    const ta = view.ticket(a);
    if (used.has(a) || !ta || ta.game !== game || ta.mode !== mode || !view.alive(ta)) continue;
    const wa = ratingWindow(rules, now - ta.enqueuedAt);
    const candidates = new Set([
      ...view.byRating.rangeUp(ta.rating, ta.rating + wa, rules.scanCandidates),
      ...view.byRating.rangeDown(ta.rating, ta.rating - wa, rules.scanCandidates),
    ]);
    let best: Ticket | undefined;
    let bestDistance = Infinity;
    for (const c of candidates) {
      if (c === a || used.has(c)) continue;
      const tc = view.ticket(c)!;
      const distance = Math.abs(ta.rating - tc.rating);
      const better = !best || distance < bestDistance || (distance === bestDistance && olderTicket(tc, best));
      if (better && distance <= ratingWindow(rules, now - tc.enqueuedAt) && view.alive(tc)) {
        best = tc;
        bestDistance = distance;
      }
    }
    if (!best) continue;
    used.add(a).add(best.ticketId);
    pairs.push(olderTicket(ta, best) ? [ta, best] : [best, ta]);
  }
  return pairs;
}
