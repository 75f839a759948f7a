import type { PairingRules, Rated } from "./types.ts";

/** Elo: the half-width of a ticket's rating window after waiting `waitedMs`. */
export function ratingWindow(rules: PairingRules, waitedMs: number): number {
  const widened = rules.initialWindow + (rules.widenPerSecond * Math.max(0, waitedMs)) / 1000;
  return rules.maxWindow > 0 ? Math.min(widened, rules.maxWindow) : widened;
}

/** OpenSkill: the half-width w of a ticket's win-chance window (0.5 +- w) after waiting `waitedMs`. */
export function chanceWindow(rules: PairingRules, waitedMs: number): number {
  return Math.min(rules.initialChance + (rules.chancePerSecond * Math.max(0, waitedMs)) / 1000, rules.maxChance);
}

/** The log-odds of a chance: the inverse of the logistic function (infinite at 0 and 1). */
export function logit(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  return Math.log(p / (1 - p));
}

/**
 * How two ratings compare for pairing, and how far a ticket reaches: Elo in rating points, OpenSkill
 * in log-odds of the predicted win (|mu_a - mu_b| / c, with c = sqrt(2 beta^2 + sigma_a^2 +
 * sigma_b^2), as the Plackett-Luce model rates), so that a wide sigma (a new player) reaches further.
 */
export const pairingDistance = (rules: PairingRules, a: Rated, b: Rated): number =>
  rules.model.system === "elo" ? Math.abs(a.mu - b.mu) : Math.abs(a.mu - b.mu) / Math.sqrt(rules.model.twoBetaSq + a.sigma ** 2 + b.sigma ** 2);

/** The largest distance a ticket accepts after waiting `waitedMs` (same unit as `pairingDistance`). */
export function reach(rules: PairingRules, waitedMs: number): number {
  if (rules.model.system === "elo") return ratingWindow(rules, waitedMs);
  return logit(0.5 + chanceWindow(rules, waitedMs));
}

/** The span of mu around a ticket where candidates within its reach can be (for the sorted index). */
export function muSpan(rules: PairingRules, ticket: Rated, ticketReach: number): number {
  if (rules.model.system === "elo") return ticketReach;
  return ticketReach * Math.sqrt(rules.model.twoBetaSq + ticket.sigma ** 2 + rules.model.sigmaCap ** 2);
}

/** The latency a ticket accepts to a region (ms) after waiting `waitedMs`. */
export function latencyWindow(rules: PairingRules, waitedMs: number): number {
  return Math.min(rules.initialLatencyMs + (rules.latencyPerSecondMs * Math.max(0, waitedMs)) / 1000, rules.maxLatencyMs);
}
