/**
 * Tick lateness and state-ack round trip with many concurrent pong matches on one node; the server
 * and the load generator run in separate processes (pinned to separate cores when taskset exists).
 *   npm run bench:pong -- 500 20        (500 matches, 20 s of steady play)
 */
import { createInterface } from "node:readline";
import { hasTaskset, spawnNode, spawnScript } from "./server-process.ts";
import { histogramPercentile, readHistogram, round } from "./stats.ts";

const MATCHES = Number(process.argv[2] ?? 500);
const SECONDS = Number(process.argv[3] ?? 20);
const ENGINE = process.argv[4] ?? "uws";

const server = await spawnNode(
  { ENGINE, PONG_POINTS: "100000", RATE_LIMIT_PER_SECOND: "1000", RATE_LIMIT_BURST: "1000", LOG_LEVEL: "info" },
  { pinToCpu: 0, keepLogs: false },
);
const metrics = async () => (await fetch(`${server.url}/metrics`)).text();
const sample = (text: string, name: string) => Number(/\n?([^\n]*)/.exec(text.split("\n").find((l) => l.startsWith(name + " ") || l.startsWith(name + "{")) ?? "")?.[1]?.split(" ").pop());
const diff = (a: { le: number; count: number }[], b: { le: number; count: number }[]) => b.map((bucket, i) => ({ le: bucket.le, count: bucket.count - (a[i]?.count ?? 0) }));

const generator = spawnScript("bench/pong-players.ts", [server.url, String(MATCHES * 2), String(SECONDS)], { cpu: 1 });
const lines = createInterface({ input: generator.stdout! });
let before = "";
let result: Record<string, unknown> = {};
for await (const line of lines) {
  const message = JSON.parse(line) as Record<string, unknown>;
  if (message.phase === "playing") before = await metrics();
  if (message.phase === "done") {
    result = message;
    break;
  }
}
const after = await metrics();
const lateness = diff(readHistogram(before, "arena_tick_lateness_seconds"), readHistogram(after, "arena_tick_lateness_seconds"));
const rtt = diff(readHistogram(before, "arena_state_ack_rtt_seconds"), readHistogram(after, "arena_state_ack_rtt_seconds"));
const cpuSeconds = sample(after, "process_cpu_seconds_total") - sample(before, "process_cpu_seconds_total");
const report = {
  bench: "pong-matches",
  date: new Date().toISOString(),
  engine: ENGINE,
  matches: MATCHES,
  players: MATCHES * 2,
  seconds: SECONDS,
  matchesStarted: Number(result.started) / 2,
  tickLatenessP50Ms: round(histogramPercentile(lateness, 50) * 1000),
  tickLatenessP99Ms: round(histogramPercentile(lateness, 99) * 1000),
  rttP50Ms: round(histogramPercentile(rtt, 50) * 1000),
  rttP99Ms: round(histogramPercentile(rtt, 99) * 1000),
  acksCounted: rtt.at(-1)?.count ?? 0,
  statesPerSecondReceived: result.statesPerSecond,
  serverCpuPercent: Math.round((cpuSeconds / SECONDS) * 100),
  serverRssMb: Math.round(sample(after, "process_resident_memory_bytes") / 1e6),
  generatorCpuPercent: result.cpuPercent,
  errors: result.errors,
  cores: hasTaskset() ? "server on core 0, load generator on core 1 (taskset)" : "no taskset: shared cores",
  note: "percentiles interpolated inside the server's Prometheus histogram buckets",
};
console.table(Object.entries(report).map(([key, value]) => ({ key, value })));
console.log(JSON.stringify(report));
if (Number(result.cpuPercent) > 90) console.log("warning: the load generator used most of its core; the figures are a lower bound for the server");
await server.kill();
