/**
 * Soak: pong matches with churn (short matches, bots requeue) for a long run, sampling the server's
 * RSS and handle count; reports growth per hour (least-squares slope) and the samples.
 *   npm run bench:soak -- 200 600        (200 players, 600 s)
 */
import { writeFileSync, mkdirSync } from "node:fs";
import { hasTaskset, spawnNode, spawnScript } from "./server-process.ts";
import { round } from "./stats.ts";

const PLAYERS = Number(process.argv[2] ?? 200);
const SECONDS = Number(process.argv[3] ?? 600);

const server = await spawnNode(
  { ENGINE: "uws", PONG_POINTS: "3", PONG_BALL_SPEED: "1.5", RATE_LIMIT_PER_SECOND: "1000", RATE_LIMIT_BURST: "1000" },
  { pinToCpu: 0, keepLogs: false },
);
const generator = spawnScript("bench/pong-players.ts", [server.url, String(PLAYERS), String(SECONDS)], { cpu: 1 });
let last = "";
generator.stdout!.on("data", (chunk: Buffer) => (last += chunk.toString()));

const value = (text: string, name: string) => Number(text.split("\n").find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`))?.split(" ").pop());
const samples: { t: number; rssMb: number; handles: number; matches: number }[] = [];
const started = Date.now();
while (generator.exitCode === null && Date.now() - started < (SECONDS + 60) * 1000) {
  await new Promise((resolve) => setTimeout(resolve, 10_000));
  const text = await (await fetch(`${server.url}/metrics`)).text();
  samples.push({
    t: (Date.now() - started) / 1000,
    rssMb: round(value(text, "process_resident_memory_bytes") / 1e6, 1),
    handles: value(text, "nodejs_active_handles_total"),
    matches: value(text, "arena_matches_running"),
  });
  process.stdout.write(`${JSON.stringify(samples.at(-1))}\n`);
}
if (generator.exitCode === null) await new Promise((resolve) => generator.once("exit", resolve));
await server.kill();

/** Least-squares slope of y over t, per hour. Skips the first minute (warm-up). */
const slopePerHour = (key: "rssMb" | "handles") => {
  const points = samples.filter((s) => s.t >= 60);
  const n = points.length;
  if (n < 2) return NaN;
  const mt = points.reduce((a, p) => a + p.t, 0) / n;
  const my = points.reduce((a, p) => a + p[key], 0) / n;
  const num = points.reduce((a, p) => a + (p.t - mt) * (p[key] - my), 0);
  const den = points.reduce((a, p) => a + (p.t - mt) ** 2, 0);
  return round((num / den) * 3600, 1);
};
const result = JSON.parse(last.trim().split("\n").pop() ?? "{}") as Record<string, unknown>;
const report = {
  bench: "soak",
  date: new Date().toISOString(),
  players: PLAYERS,
  seconds: SECONDS,
  matchesFinished: result.ended,
  errors: result.errors,
  rssStartMb: samples[0]?.rssMb,
  rssEndMb: samples.at(-1)?.rssMb,
  rssGrowthMbPerHour: slopePerHour("rssMb"),
  handlesStart: samples[0]?.handles,
  handlesEnd: samples.at(-1)?.handles,
  handlesGrowthPerHour: slopePerHour("handles"),
  cores: hasTaskset() ? "server on core 0, load generator on core 1 (taskset)" : "no taskset: shared cores",
};
mkdirSync("bench-out", { recursive: true });
writeFileSync("bench-out/soak.json", JSON.stringify({ report, samples }, null, 2));
console.table(Object.entries(report).map(([key, v]) => ({ key, value: v })));
console.log(JSON.stringify(report));
