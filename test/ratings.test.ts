import { ordinal, rate, rating } from "openskill";
import { describe, expect, it } from "vitest";
import { chanceWindow, DEFAULT_RULES, elo, logit, openSkill, reach, type PairingRules } from "../matchmaker/index.ts";

describe("ratings with uncertainty (the openskill package)", () => {
  it("the library reproduces its published examples (README: a 2 v 2 match, ordinal)", () => {
    const a1 = rating();
    const a2 = rating({ mu: 32.444, sigma: 5.123 });
    const b1 = rating({ mu: 43.381, sigma: 2.421 });
    const b2 = rating({ mu: 25.188, sigma: 6.211 });
    const [[x1, x2], [y1, y2]] = rate([
      [a1, a2],
      [b1, b2],
    ]);
    // as the README prints them (to its precision): [[28.67, 8.07], [33.83, 5.06]], [[43.07, 2.42], [23.15, 6.14]]
    const printed = [
      [28.67, 8.07],
      [33.83, 5.06],
      [43.07, 2.42],
      [23.15, 6.14],
    ];
    [x1, x2, y1, y2].forEach((r, i) => {
      expect(r!.mu).toBeCloseTo(printed[i]![0]!, 2);
      expect(r!.sigma).toBeCloseTo(printed[i]![1]!, 2);
    });
    expect(ordinal({ mu: 43.07, sigma: 2.42 })).toBeCloseTo(35.81, 10);
    // the README's four-player ranking example
    const [[p1], [p2], [p3], [p4]] = rate([[rating()], [rating()], [rating()], [rating()]], { rank: [4, 1, 3, 2] });
    const ranked = [
      [20.963, 8.084],
      [27.795, 8.263],
      [24.689, 8.084],
      [26.553, 8.179],
    ];
    [p1, p2, p3, p4].forEach((r, i) => {
      expect(r!.mu).toBeCloseTo(ranked[i]![0]!, 2);
      expect(r!.sigma).toBeCloseTo(ranked[i]![1]!, 2);
    });
  });

  it("the server's system moves mu and sigma as the library does, and shows the conservative ordinal", () => {
    const system = openSkill();
    expect(system.initial).toEqual({ mu: 25, sigma: 25 / 3, rating: 1000 });
    const [w, l] = system.update(system.initial, system.initial, 1);
    const [[lw], [ll]] = rate([[rating()], [rating()]], { rank: [1, 2] });
    expect(w).toEqual({ mu: lw!.mu, sigma: lw!.sigma, rating: Math.round(1000 + 40 * (lw!.mu - 3 * lw!.sigma)) });
    expect(l.mu).toBe(ll!.mu);
    expect(w.mu).toBeGreaterThan(25);
    expect(w.sigma).toBeLessThan(25 / 3);
    // a draw between equals moves no mu, narrows sigma: the display rating rises for both
    const [d1, d2] = system.update(system.initial, system.initial, 0.5);
    expect(d1.mu).toBeCloseTo(25, 10);
    expect(d1).toEqual(d2);
    expect(d1.rating).toBeGreaterThan(1000);
    // the loser of an upset loses more than the loser of an expected result
    const strong = { mu: 35, sigma: 2, rating: 0 };
    const weak = { mu: 20, sigma: 2, rating: 0 };
    expect(35 - system.update(weak, strong, 1)[1].mu).toBeGreaterThan(20 - system.update(strong, weak, 1)[1].mu);
  });

  it("predicts win chances as the model rates (Plackett-Luce: logistic in the mu gap over c); a wider sigma pulls them towards 0.5", () => {
    const system = openSkill();
    const a = { mu: 30, sigma: 1, rating: 0 };
    const b = { mu: 25, sigma: 1, rating: 0 };
    const sure = system.winChance(a, b);
    expect(sure).toBeCloseTo(1 / (1 + Math.exp(-5 / Math.sqrt(2 * (25 / 6) ** 2 + 1 + 1))), 12);
    // the chance the model's own update implies: a win moves the winner by sigma^2 / c x (1 - that chance)
    const c = Math.sqrt(2 * (25 / 6) ** 2 + 1 + 1);
    const [[won]] = rate([[{ mu: 30, sigma: 1 }], [{ mu: 25, sigma: 1 }]], { rank: [1, 2], tau: 0 });
    expect(won!.mu).toBeCloseTo(30 + (1 / c) * (1 - sure), 10);
    expect(system.winChance(b, a)).toBeCloseTo(1 - sure, 10);
    const unsure = system.winChance({ ...a, sigma: 8 }, { ...b, sigma: 8 });
    expect(unsure).toBeLessThan(sure);
    expect(unsure).toBeGreaterThan(0.5);
  });

  it("Elo stays available (RATING_SYSTEM=elo): no uncertainty, K-factor updates", () => {
    const system = elo(1200, 32);
    expect(system.initial).toEqual({ rating: 1200, mu: 1200, sigma: 0 });
    expect(system.update(system.initial, system.initial, 1).map((r) => r.rating)).toEqual([1216, 1184]);
    expect(system.winChance({ rating: 1400, mu: 1400, sigma: 0 }, system.initial)).toBeCloseTo(0.7597, 4);
  });
});

describe("pairing windows", () => {
  const rules: PairingRules = { ...DEFAULT_RULES, model: openSkill().model, initialChance: 0.05, chancePerSecond: 0.02, maxChance: 0.3 };

  it("logit inverts the logistic function", () => {
    for (const p of [0.001, 0.02, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 0.9999]) expect(1 / (1 + Math.exp(-logit(p)))).toBeCloseTo(p, 12);
    expect(logit(1)).toBe(Infinity);
  });

  it("the win-chance window widens with the wait, up to its cap; 0.5 reaches everyone", () => {
    expect(chanceWindow(rules, 0)).toBeCloseTo(0.05, 10);
    expect(chanceWindow(rules, 5000)).toBeCloseTo(0.15, 10);
    expect(chanceWindow(rules, 60_000)).toBeCloseTo(0.3, 10);
    expect(reach(rules, 5000)).toBeGreaterThan(reach(rules, 0));
    expect(reach({ ...rules, initialChance: 0.5, maxChance: 0.5 }, 0)).toBe(Infinity);
  });
});
