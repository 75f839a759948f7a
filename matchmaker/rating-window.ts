import type { PairingRules } from "./types.ts";

/** The half-width of a ticket's rating window after waiting `waitedMs`. */
export function ratingWindow(rules: PairingRules, waitedMs: number): number {
  const widened = rules.initialWindow + (rules.widenPerSecond * Math.max(0, waitedMs)) / 1000;
  return rules.maxWindow > 0 ? Math.min(widened, rules.maxWindow) : widened;
}
