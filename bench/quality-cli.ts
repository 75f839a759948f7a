/**
 * The pairing quality simulator: 10,000 players with hidden true skill and home regions, arrivals as
 * a Poisson process at several rates, the real pairing code (the in-memory store) in simulated time.
 *   npm run bench:quality -- --out bench-out/quality [--players 10000] [--rates 5,20,80] [--arrivals 150000] [--seed 1]
 * Writes quality.json (`results[]`) and quality.html (the curves over simulated time).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { simulate, type QualityResult, type QualitySetup } from "./quality/simulate.ts";
import { page, table, type Chart } from "./report/html.ts";

const { values } = parseArgs({
  options: {
    out: { type: "string", default: "bench-out/quality" },
    players: { type: "string", default: "10000" },
    rates: { type: "string", default: "5,20,80" },
    arrivals: { type: "string", default: "150000" },
    seed: { type: "string", default: "1" },
  },
});
const players = Number(values.players);
const rates = values.rates!.split(",").map(Number);
const arrivals = Number(values.arrivals);
const seed = Number(values.seed);
if (!(players >= 100) || rates.some((r) => !(r > 0)) || !(arrivals > 0) || !Number.isInteger(seed)) {
  process.stderr.write("bench:quality: --players 100+, --rates positive numbers, --arrivals positive, --seed an integer\n");
  process.exit(2);
}

const started = Date.now();
const results: QualityResult[] = [];
for (const rate of rates) {
  for (const window of ["widening", "fixed"] as const) {
    const setup: QualitySetup = { rating: "elo", window, rate, players, seconds: Math.min(86_400, Math.round(arrivals / rate)), seed };
    const result = await simulate(setup);
    results.push(result);
    process.stdout.write(
      `${result.rating} ${window} at ${rate}/s: ${result.matches} matches, fairShare ${result.fairShare}, skillCorrelation ${result.skillCorrelation}, wait p95 ${result.waitP95S} s\n`,
    );
  }
}
const out = values.out!;
mkdirSync(out, { recursive: true });
const config = { players, rates, arrivals, seed, ratingSystems: ["elo"], note: "OpenSkill is not built yet: only Elo runs" };
writeFileSync(join(out, "quality.json"), `${JSON.stringify({ config, results }, null, 2)}\n`);
const curve = (title: string, y: string, pick: (p: QualityResult["series"][number]) => number | null, rate: number): Chart => {
  const runs = results.filter((r) => r.rate === rate);
  return {
    title: `${title} at ${rate} arrivals/s`,
    x: { label: "simulated seconds", values: runs[0]!.series.map((p) => p.at) },
    y: { label: y },
    series: runs.map((r) => ({ name: `${r.rating} ${r.window}`, values: r.series.map(pick) })),
  };
};
writeFileSync(
  join(out, "quality.html"),
  page("Arena pairing quality", `${players} simulated players, seed ${seed}; fair: seat 0's true chance to win within 0.5 +- 0.1.`, [
    { heading: "Results", html: table(results.map(({ series: _series, ...r }) => r)) },
    ...rates.map((rate) => ({
      heading: `${rate} arrivals per second`,
      charts: [curve("Fair share", "share of matches", (p) => p.fairShare, rate), curve("Wait p95", "seconds", (p) => p.waitP95S, rate)],
    })),
  ]),
);
console.table(results.map(({ series: _series, ...r }) => r));
process.stdout.write(`quality: ${join(out, "quality.json")}, ${join(out, "quality.html")} in ${Math.round((Date.now() - started) / 1000)} s\n`);
