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

/**
 * The inverse of the standard normal distribution function (Acklam's rational approximation,
 * relative error under 1.2e-9); `lua/prelude.lua` has the same arithmetic. Infinite at 0 and 1.
 */
export function probit(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - low) return -probit(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

/**
 * How two ratings compare for pairing, and how far a ticket reaches: Elo in rating points, OpenSkill
 * in standard deviations of the predicted performance difference (|mu_a - mu_b| / c, with
 * c = sqrt(2 beta^2 + sigma_a^2 + sigma_b^2)), so that a wide sigma (a new player) reaches further.
 */
export const pairingDistance = (rules: PairingRules, a: Rated, b: Rated): number =>
  rules.model.system === "elo" ? Math.abs(a.mu - b.mu) : Math.abs(a.mu - b.mu) / Math.sqrt(rules.model.twoBetaSq + a.sigma ** 2 + b.sigma ** 2);

/** The largest distance a ticket accepts after waiting `waitedMs` (same unit as `pairingDistance`). */
export function reach(rules: PairingRules, waitedMs: number): number {
  if (rules.model.system === "elo") return ratingWindow(rules, waitedMs);
  return probit(0.5 + chanceWindow(rules, waitedMs));
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
