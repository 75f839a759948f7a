/**
 * The pairing quality simulator: 10,000 players with hidden true skill and home regions, arrivals as
 * a Poisson process at several rates, the real pairing code (the in-memory store) in simulated time.
 *   npm run bench:quality -- --out bench-out/quality [--players 10000] [--rates 20,80] [--arrivals 600000]
 *     [--systems openskill,elo] [--jobs 2] [--warmup 0.5] [--tau 0.0833] [--seed 1]
 * Writes quality.json (`results[]`) and quality.html (the curves over simulated time).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { OPENSKILL_DEFAULTS } from "../matchmaker/index.ts";
import type { QualityResult, QualitySetup } from "./quality/simulate.ts";
import { page, table, type Chart } from "./report/html.ts";

const { values } = parseArgs({
  options: {
    out: { type: "string", default: "bench-out/quality" },
    players: { type: "string", default: "10000" },
    rates: { type: "string", default: "20,80" },
    arrivals: { type: "string", default: "600000" },
    seed: { type: "string", default: "1" },
    systems: { type: "string", default: "openskill,elo" },
    jobs: { type: "string", default: "2" },
    warmup: { type: "string", default: "0.5" },
    tau: { type: "string", default: String(OPENSKILL_DEFAULTS.tau) },
    "max-seconds": { type: "string", default: "86400" },
  },
});
const players = Number(values.players);
const rates = values.rates!.split(",").map(Number);
const arrivals = Number(values.arrivals);
const seed = Number(values.seed);
const systems = values.systems!.split(",") as QualitySetup["rating"][];
const maxSeconds = Number(values["max-seconds"]);
const jobs = Number(values.jobs);
const warmUp = Number(values.warmup);
const tau = Number(values.tau);
if (
  !(players >= 100) ||
  rates.some((r) => !(r > 0)) ||
  !(arrivals > 0) ||
  !Number.isInteger(seed) ||
  systems.some((s) => s !== "openskill" && s !== "elo") ||
  !(jobs >= 1) ||
  !(warmUp >= 0 && warmUp < 1) ||
  !(tau >= 0)
) {
  process.stderr.write(
    "bench:quality: --players 100+, --rates positive numbers, --arrivals positive, --seed an integer, --systems openskill,elo, --jobs 1+, --warmup 0-1, --tau 0+\n",
  );
  process.exit(2);
}

const started = Date.now();
const setups: QualitySetup[] = rates.flatMap((rate) =>
  systems.flatMap((rating) =>
    (["widening", "fixed"] as const).map((window) => ({
      rating,
      window,
      rate,
      players,
      seconds: Math.min(maxSeconds, Math.round(arrivals / rate)),
      seed,
      warmUp,
      tau,
    })),
  ),
);
/** Runs one simulation in a child process (one core each). */
function run(setup: QualitySetup): Promise<QualityResult> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL("./quality/worker.ts", import.meta.url)), { execArgv: ["--import", "tsx"] });
    child.once("message", (result) => resolve(result as QualityResult));
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code !== 0) reject(new Error(`a simulation exited with ${code}`));
    });
    child.send(setup);
  });
}
const results: QualityResult[] = new Array(setups.length);
let next = 0;
await Promise.all(
  Array.from({ length: Math.min(jobs, setups.length) }, async () => {
    while (next < setups.length) {
      const i = next++;
      const result = await run(setups[i]!);
      results[i] = result;
      process.stdout.write(
        `${result.rating} ${result.window} at ${result.rate}/s: ${result.matches} matches, fairShare ${result.fairShare}, skillCorrelation ${result.skillCorrelation}, wait p50 ${result.waitP50S} s, p95 ${result.waitP95S} s, latency p95 ${result.latencyP95Ms} ms\n`,
      );
    }
  }),
);
const out = values.out!;
mkdirSync(out, { recursive: true });
const config = { players, rates, arrivals, seed, ratingSystems: systems, warmUp, tau, jobs };
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
