import { ordinal, rate } from "openskill";
import { eloUpdate, expectedScore } from "./elo.ts";
import type { Rated, SkillModel } from "./types.ts";

export type RatingSystemName = "openskill" | "elo";

/**
 * How ratings are kept and moved: a skill estimate `mu` with its uncertainty `sigma` per player,
 * game and mode, and the display rating players see.
 */
export interface RatingSystem {
  readonly name: RatingSystemName;
  /** A new player's rating. */
  readonly initial: Rated;
  /** What pairing needs of the system (the store computes predicted win chances with it). */
  readonly model: SkillModel;
  /** Seat 0's predicted chance to beat seat 1. */
  winChance(a: Rated, b: Rated): number;
  /** Both ratings after a match; `score` is 1 when `a` won, 0 when `b` won, 0.5 for a draw. */
  update(a: Rated, b: Rated, score: 0 | 0.5 | 1): [Rated, Rated];
}

/** OpenSkill's scale: the library's defaults (mu 25, sigma 25/3, beta 25/6, tau 25/300). */
export interface OpenSkillScale {
  mu: number;
  sigma: number;
  beta: number;
  tau: number;
}

export const OPENSKILL_DEFAULTS: OpenSkillScale = { mu: 25, sigma: 25 / 3, beta: 25 / 6, tau: 25 / 300 };

/**
 * The display rating of an OpenSkill rating: the conservative ordinal mu - 3 sigma, shown as
 * 1000 + 40 x ordinal, rounded (a new player shows 1000 and climbs as the system grows sure).
 */
const DISPLAY = { alpha: 40, target: 1000 };

/** Weng-Lin (the `openskill` package, Plackett-Luce model) for two-player matches. */
export function openSkill(scale: OpenSkillScale = OPENSKILL_DEFAULTS): RatingSystem {
  const options = { mu: scale.mu, sigma: scale.sigma, beta: scale.beta, tau: scale.tau };
  const rated = (mu: number, sigma: number): Rated => ({ mu, sigma, rating: Math.round(ordinal({ mu, sigma }, DISPLAY)) });
  return {
    name: "openskill",
    initial: rated(scale.mu, scale.sigma),
    model: { system: "openskill", twoBetaSq: 2 * scale.beta ** 2, sigmaCap: Math.hypot(scale.sigma, scale.tau) },
    // The Plackett-Luce model rates on exp(mu / c): its own prediction is logistic in (mu_a - mu_b) / c.
    // (The package's predictWin is a normal-CDF prediction, more extreme than the model it rates with.)
    winChance: (a, b) => 1 / (1 + Math.exp(-(a.mu - b.mu) / Math.sqrt(2 * scale.beta ** 2 + a.sigma ** 2 + b.sigma ** 2))),
    update(a, b, score) {
      const rank = score === 1 ? [1, 2] : score === 0 ? [2, 1] : [1, 1];
      const [[x], [y]] = rate([[a], [b]], { ...options, rank });
      return [rated(x!.mu, x!.sigma), rated(y!.mu, y!.sigma)];
    },
  };
}

/** Elo with factor `k`: the rating is the skill, with no uncertainty (sigma 0). */
export function elo(initial: number, k: number): RatingSystem {
  const rated = (rating: number): Rated => ({ mu: rating, sigma: 0, rating });
  return {
    name: "elo",
    initial: rated(initial),
    model: { system: "elo", twoBetaSq: 0, sigmaCap: 0 },
    winChance: (a, b) => expectedScore(a.mu, b.mu),
    update(a, b, score) {
      const [x, y] = eloUpdate(a.mu, b.mu, score, k);
      return [rated(x), rated(y)];
    },
  };
}
