import { DEFAULT_RULES, elo, expectedScore, memoryStore, OPENSKILL_DEFAULTS, openSkill, type PairingRules, type RatingSystem } from "../../matchmaker/index.ts";
import { percentile, round } from "../stats.ts";

/** A seeded random source (mulberry32): the same seed gives the same simulation. */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const REGIONS = ["eu-west", "us-east", "ap-south"];
/** A player's round trips to each region: 10-40 ms to their home region, 120-200 ms to the others. */
function latenciesFrom(home: string, rand: () => number): Record<string, number> {
  return Object.fromEntries(REGIONS.map((r) => [r, Math.round(r === home ? 10 + 30 * rand() : 120 + 80 * rand())]));
}

export interface QualitySetup {
  rating: "openskill" | "elo";
  window: "widening" | "fixed";
  /** Arrivals per simulated second (a Poisson process over idle players). */
  rate: number;
  players: number;
  /** Simulated seconds. */
  seconds: number;
  /** The share of the run (from its start) whose matches are not counted: ratings are still settling (default 0.5). */
  warmUp?: number;
  /** OpenSkill's tau (skill drift per match; the library's default 25/300). */
  tau?: number;
  seed: number;
}

export interface QualityResult {
  rating: string;
  window: string;
  rate: number;
  matches: number;
  /** Share of matches after warm-up where seat 0's true chance to win was within 0.5 +- 0.1. */
  fairShare: number;
  /** Spearman correlation of display rating with true skill at the end (players with 5+ matches). */
  skillCorrelation: number;
  waitP50S: number;
  waitP95S: number;
  latencyP95Ms: number;
  /** Per tenth of the run: fair share and wait p95, for the curves. */
  series: { at: number; fairShare: number | null; waitP95S: number | null }[];
}

/**
 * The windows, as seat 0's predicted chance to win 0.5 +- w: "widening" is the server's default
 * (from 0.03, by 0.06 a second, up to 0.2); "fixed" stays at 0.05. OpenSkill pairs on the chance
 * itself; Elo on the rating gap that gives the same chance (0.03: 21 points, 0.05: 35, 0.2: 147).
 * The latency window is the server's default: 80 ms, widening by 20 ms a second, up to 400 ms.
 */
const WINDOWS: Record<QualitySetup["window"], { initial: number; perSecond: number; max: number }> = {
  widening: { initial: 0.03, perSecond: 0.06, max: 0.2 },
  fixed: { initial: 0.05, perSecond: 0, max: 0.05 },
};
const eloGap = (w: number) => 400 * Math.log10((0.5 + w) / (0.5 - w));

function rulesFor(system: RatingSystem, window: QualitySetup["window"]): PairingRules {
  const w = WINDOWS[window];
  return {
    ...DEFAULT_RULES,
    model: system.model,
    initialChance: w.initial,
    chancePerSecond: w.perSecond,
    maxChance: w.max,
    initialWindow: eloGap(w.initial),
    // the gap widens about linearly with the chance up to the cap
    widenPerSecond: (eloGap(w.max) - eloGap(w.initial)) / Math.max(1e-9, (w.max - w.initial) / Math.max(w.perSecond, 1e-9)),
    maxWindow: eloGap(w.max),
    ticketTtlMs: 3_600_000_000,
  };
}

/** Spearman's rank correlation. */
function spearman(x: number[], y: number[]): number {
  const ranks = (v: number[]) => {
    const order = v.map((value, i) => [value, i] as const).sort((a, b) => a[0] - b[0]);
    const r = new Array<number>(v.length);
    order.forEach(([, i], rank) => (r[i] = rank));
    return r;
  };
  const rx = ranks(x);
  const ry = ranks(y);
  const n = x.length;
  const d2 = rx.reduce((sum, r, i) => sum + (r - ry[i]!) ** 2, 0);
  return 1 - (6 * d2) / (n * (n * n - 1));
}

/**
 * Runs the real pairing code (the memory store, through the store interface) in simulated time:
 * players with a hidden true skill and a home region arrive as a Poisson process, are paired by the
 * matcher every 100 ms, and play at once; the outcome is drawn from their true skills and the
 * ratings move as the server would move them.
 */
export async function simulate(setup: QualitySetup): Promise<QualityResult> {
  const rand = random(setup.seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const store = memoryStore();
  const game = "sim";
  const system = setup.rating === "elo" ? elo(1200, 32) : openSkill({ ...OPENSKILL_DEFAULTS, tau: setup.tau ?? OPENSKILL_DEFAULTS.tau });
  const rules = rulesFor(system, setup.window);
  // one node per region: players connect to their home region's node
  const nodeOf = (region: string) => `sim-${region}`;
  for (const region of REGIONS) await store.describeNode(nodeOf(region), { region });
  const truth = new Map<string, { skill: number; region: string; latencies: Record<string, number>; busy: boolean; matches: number }>();
  for (let i = 0; i < setup.players; i++) {
    const id = `p${i}`;
    const region = REGIONS[i % REGIONS.length]!;
    truth.set(id, { skill: 1200 + 200 * gaussian(), region, latencies: latenciesFrom(region, rand), busy: false, matches: 0 });
    await store.openSession(game, id, nodeOf(region), i + 1, 0, id);
  }
  const ids = [...truth.keys()];
  const warmUp = setup.seconds * (setup.warmUp ?? 0.5);
  const waits: number[] = [];
  const latencies: number[] = [];
  let fair = 0;
  let counted = 0;
  let matches = 0;
  const buckets = Array.from({ length: 10 }, () => ({ fair: 0, counted: 0, waits: [] as number[] }));
  let nextArrival = -Math.log(1 - rand()) / setup.rate;
  let seq = 0;
  for (let now = 0; now < setup.seconds * 1000; now += 100) {
    for (const region of REGIONS) await store.heartbeat(nodeOf(region), now);
    while (nextArrival * 1000 <= now) {
      const id = ids[Math.floor(rand() * ids.length)]!;
      const player = truth.get(id)!;
      if (!player.busy) {
        player.busy = true;
        const request = { ticketId: `t${++seq}`, playerId: id, name: id, game, mode: "ranked", latencies: player.latencies };
        await store.enqueue(request, nextArrival * 1000, system.initial);
      }
      nextArrival += -Math.log(1 - rand()) / setup.rate;
    }
    const made = await store.pair(
      game,
      "ranked",
      now,
      rules,
      Array.from({ length: rules.maxPairsPerPass }, () => `m${++seq}`),
    );
    for (const match of made) {
      const [a, b] = match.players;
      const [ta, tb] = [truth.get(a.playerId)!, truth.get(b.playerId)!];
      const chance = expectedScore(ta.skill, tb.skill);
      const bucket = buckets[Math.min(9, Math.floor((now / 1000 / setup.seconds) * 10))]!;
      for (const p of [a, b]) bucket.waits.push((now - p.enqueuedAt) / 1000);
      bucket.counted++;
      if (Math.abs(chance - 0.5) <= 0.1) bucket.fair++;
      if (now / 1000 >= warmUp) {
        counted++;
        if (Math.abs(chance - 0.5) <= 0.1) fair++;
        for (const p of [a, b]) waits.push((now - p.enqueuedAt) / 1000);
        latencies.push(...(match.latencyMs ?? []));
      }
      const won = rand() < chance ? 1 : 0;
      const after = system.update(a, b, won);
      await store.setRatings(game, "ranked", { [a.playerId]: after[0], [b.playerId]: after[1] }, 1e12);
      const host = { node: match.host!, now, leaseMs: 1e12 };
      await store.markReady(game, match.matchId, a.playerId, host);
      await store.markReady(game, match.matchId, b.playerId, host);
      await store.endMatch(game, match.matchId);
      for (const p of [ta, tb]) {
        p.busy = false;
        p.matches++;
      }
      matches++;
    }
  }
  const rated = [...truth.entries()].filter(([, p]) => p.matches >= 5);
  const display = (await Promise.all(rated.map(([id]) => store.getRating(game, "ranked", id, system.initial)))).map((r) => r.rating);
  return {
    rating: setup.rating,
    window: setup.window,
    rate: setup.rate,
    matches,
    fairShare: round(fair / Math.max(1, counted), 3),
    skillCorrelation: round(
      spearman(
        display,
        rated.map(([, p]) => p.skill),
      ),
      3,
    ),
    waitP50S: round(percentile(waits, 50), 2),
    waitP95S: round(percentile(waits, 95), 2),
    latencyP95Ms: percentile(latencies, 95),
    series: buckets.map((b, i) => ({
      at: round(((i + 1) * setup.seconds) / 10, 0),
      fairShare: b.counted ? round(b.fair / b.counted, 3) : null,
      waitP95S: b.waits.length ? round(percentile(b.waits, 95), 2) : null,
    })),
  };
}
