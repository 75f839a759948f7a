/**
 * The operator's bench: `npm run bench -- --scenario steady --players 1000 --duration 30s --engine uws,ws --baseline raw-uws --out bench-out/steady`
 * Scenarios: steady (pong at the game's tick rate), queue-storm, idle, soak (steady, long, growth per hour).
 * Servers run on core 0 and load generators on core 1 when taskset exists; the report says how cores were shared.
 */
import type { ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import cliProgress from "cli-progress";
import { freePort, startPrivateRedis, type PrivateRedis } from "./private-redis.ts";
import { histogramChart, lineChart, page, table, type Series } from "./report-html.ts";
import { hasTaskset, spawnNode, spawnScript, type ChildNode } from "./server-process.ts";
import { histogramPercentile, readHistogram, round } from "./stats.ts";

const { values } = parseArgs({
  options: {
    scenario: { type: "string", default: "steady" },
    players: { type: "string", default: "1000" },
    duration: { type: "string", default: "30s" },
    engine: { type: "string", default: "uws" },
    nodes: { type: "string", default: "1" },
    store: { type: "string", default: "memory" },
    baseline: { type: "string" },
    out: { type: "string", default: "bench-out" },
  },
});
const SCENARIO = values.scenario!;
const PLAYERS = Number(values.players);
const SECONDS = Number(values.duration!.replace(/s$/, "")) * (values.duration!.endsWith("m") ? 60 : 1) || Number.parseInt(values.duration!, 10) * 60;
const NODES = Number(values.nodes);
const ENGINES = values.engine!.split(",");
const OUT = values.out!;
if (!["steady", "queue-storm", "idle", "soak"].includes(SCENARIO) || !(PLAYERS > 0) || !(SECONDS > 0) || !(NODES >= 1) || ENGINES.some((e) => !["uws", "ws"].includes(e))) {
  process.stderr.write("bench: --scenario steady|queue-storm|idle|soak, --players N, --duration 30s|10m, --engine uws,ws, --nodes N\n");
  process.exit(2);
}
const pinning = hasTaskset() ? "servers pinned to core 0, load generators to core 1 (taskset)" : "taskset not found: servers and load generators shared both cores";

type Line = Record<string, unknown> & { type: string };

function launch([script, ...args]: string[], cpu: number): { child: ChildProcess; lines: AsyncIterableIterator<string> } {
  const child = spawnScript(script!, args, { cpu });
  return { child, lines: createInterface({ input: child.stdout! })[Symbol.asyncIterator]() };
}

async function next(lines: AsyncIterableIterator<string>, type: string): Promise<Line> {
  for (;;) {
    const { value, done } = await lines.next();
    if (done) throw new Error(`generator ended before sending ${type}`);
    const line = JSON.parse(value) as Line;
    if (line.type === type) return line;
  }
}

const metric = (text: string, name: string) =>
  text.split("\n").filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`)).reduce((sum, l) => sum + Number(l.split(" ").pop()), 0);
const minus = (a: { le: number; count: number }[], b: { le: number; count: number }[]) => b.map((x, i) => ({ le: x.le, count: x.count - (a[i]?.count ?? 0) }));
const sumHist = (texts: string[], name: string) => {
  const all = texts.map((t) => readHistogram(t, name));
  return (all[0] ?? []).map((b, i) => ({ le: b.le, count: all.reduce((s, h) => s + (h[i]?.count ?? 0), 0) }));
};
const slopePerHour = (points: [number, number][]) => {
  const p = points.filter(([t]) => t >= Math.min(60, SECONDS / 4));
  if (p.length < 2) return NaN;
  const mt = p.reduce((a, [t]) => a + t, 0) / p.length;
  const my = p.reduce((a, [, y]) => a + y, 0) / p.length;
  return (p.reduce((a, [t, y]) => a + (t - mt) * (y - my), 0) / p.reduce((a, [t]) => a + (t - mt) ** 2, 0)) * 3600;
};

async function runEngine(engine: string) {
  let redis: PrivateRedis | undefined;
  const nodes: ChildNode[] = [];
  const generators: { child: ChildProcess; lines: AsyncIterableIterator<string> }[] = [];
  try {
    const env: Record<string, string> = { ENGINE: engine, RATE_LIMIT_PER_SECOND: "1000", RATE_LIMIT_BURST: "1000", MATCHMAKER_INTERVAL_MS: "50" };
    if (SCENARIO === "steady") env.PONG_POINTS = "1000000";
    if (SCENARIO === "soak") Object.assign(env, { PONG_POINTS: "3", PONG_BALL_SPEED: "1.5" });
    if (NODES > 1 || values.store === "redis") {
      redis = await startPrivateRedis();
      Object.assign(env, { REDIS_URL: redis.url, ARENA_SECRET: "b".repeat(40) });
    }
    for (let i = 0; i < NODES; i++) nodes.push(await spawnNode(env, { pinToCpu: 0, keepLogs: false }));
    const rssOf = async () => (await Promise.all(nodes.map(async (n) => metric(await (await fetch(`${n.url}/metrics`)).text(), "process_resident_memory_bytes")))).reduce((a, b) => a + b, 0);
    const emptyRss = await rssOf();
    const count = Math.max(NODES, Math.ceil(PLAYERS / 1500));
    for (let g = 0; g < count; g++) {
      const share = Math.floor(PLAYERS / count) + (g < PLAYERS % count ? 1 : 0);
      const scenario = SCENARIO === "soak" ? "steady" : SCENARIO;
      generators.push(launch(["bench/generator.ts", nodes[g % NODES]!.url, scenario, String(share), String(SECONDS)], 1));
    }
    await Promise.all(generators.map((g) => next(g.lines, "ready")));
    const scrape = () => Promise.all(nodes.map(async (n) => (await fetch(`${n.url}/metrics`)).text()));
    const first = await scrape();
    const samples: { t: number; texts: string[] }[] = [{ t: 0, texts: first }];
    const clientSamples: Line[] = [];
    const bar = new cliProgress.SingleBar({ format: `${engine} ${SCENARIO} [{bar}] {value}/{total} s`, hideCursor: true }, cliProgress.Presets.shades_classic);
    bar.start(SECONDS, 0);
    // one reader per generator: samples are kept, `done` ends it
    const dones = generators.map(async (g): Promise<Line> => {
      for (;;) {
        const { value, done } = await g.lines.next();
        if (done) return { type: "done", errors: 1, lost: "generator ended early" };
        const line = JSON.parse(value) as Line;
        if (line.type === "sample") clientSamples.push(line);
        if (line.type === "done") return line;
      }
    });
    const started = Date.now();
    while (Date.now() - started < SECONDS * 1000) {
      await new Promise((r) => setTimeout(r, 1000));
      samples.push({ t: (Date.now() - started) / 1000, texts: await scrape() });
      bar.update(Math.min(SECONDS, Math.round((Date.now() - started) / 1000)));
    }
    bar.stop();
    const results = await Promise.race([Promise.all(dones), new Promise<Line[]>((r) => setTimeout(() => r([]), 30_000))]);
    const last = samples.at(-1)!.texts;
    const rtt = minus(sumHist(first, "arena_state_ack_rtt_seconds"), sumHist(last, "arena_state_ack_rtt_seconds"));
    const late = minus(sumHist(first, "arena_tick_lateness_seconds"), sumHist(last, "arena_tick_lateness_seconds"));
    const total = (key: string) => results.reduce((s, r) => s + Number(r[key] ?? 0), 0);
    const cpuSeconds = last.reduce((s, t) => s + metric(t, "process_cpu_seconds_total"), 0) - first.reduce((s, t) => s + metric(t, "process_cpu_seconds_total"), 0);
    const rssBytes = last.reduce((s, t) => s + metric(t, "process_resident_memory_bytes"), 0);
    const states = total("statesInWindow");
    const acksCounted = rtt.at(-1)?.count ?? 0;
    const series = (f: (prev: string[], cur: string[], dt: number) => number): [number, number][] =>
      samples.slice(1).map((s, i) => [s.t, f(samples[i]!.texts, s.texts, s.t - samples[i]!.t)]);
    const seriesPercentile = (name: string, p: number) =>
      series((prev, cur) => histogramPercentile(minus(sumHist(prev, name), sumHist(cur, name)), p) * 1000);
    const rssSeries = series((_p, cur) => cur.reduce((s, t) => s + metric(t, "process_resident_memory_bytes"), 0) / 1e6);
    const handleSeries = series((_p, cur) => cur.reduce((s, t) => s + metric(t, "nodejs_active_handles_total"), 0));
    const result = {
      engine,
      scenario: SCENARIO,
      players: PLAYERS,
      nodes: NODES,
      seconds: SECONDS,
      serverCpuPercent: round((cpuSeconds / SECONDS) * 100, 1),
      serverRssMb: round(rssBytes / 1e6, 1),
      // what the players added to the RSS of the idle server(s)
      rssPerPlayerKb: round((rssBytes - emptyRss) / 1024 / PLAYERS, 1),
      rssPer1000PlayersMb: round((rssBytes - emptyRss) / 1e6 / (PLAYERS / 1000), 1),
      statesPerSecond: Math.round(states / SECONDS),
      inputsPerSecond: Math.round(total("inputsInWindow") / SECONDS),
      // in and out: each state and its ack, each input and its ack
      messagesPerCpuSecond: Math.round((2 * states + 2 * total("inputsInWindow")) / Math.max(cpuSeconds, 1e-9)),
      rttP50Ms: round(histogramPercentile(rtt, 50) * 1000),
      rttP99Ms: round(histogramPercentile(rtt, 99) * 1000),
      rttP999Ms: round(histogramPercentile(rtt, 99.9) * 1000),
      tickLatenessP50Ms: round(histogramPercentile(late, 50) * 1000),
      tickLatenessP99Ms: round(histogramPercentile(late, 99) * 1000),
      acksLost: Math.max(0, states - acksCounted),
      errors: total("errors"),
      disconnects: total("disconnects"),
      unstartedPlayers: SCENARIO === "steady" ? Math.max(0, PLAYERS - total("started")) : 0,
      generatorCpuPercent: results.map((r) => r.cpuPercent),
      generatorBottleneck: results.some((r) => Number(r.cpuPercent) > 90) || clientSamples.some((s) => Number(s.cpuPercent) > 95),
      ...(SCENARIO === "queue-storm" ? { pairingsPerSecond: total("pairingsPerSecond"), foundP50Ms: results[0]?.foundP50Ms, foundP95Ms: results[0]?.foundP95Ms, foundP99Ms: results[0]?.foundP99Ms, unpaired: total("unpaired") } : {}),
      ...(SCENARIO === "soak" ? { rssGrowthMbPerHour: round(slopePerHour(rssSeries), 1), handlesGrowthPerHour: round(slopePerHour(handleSeries), 1) } : {}),
    };
    const charts = {
      rttP99: seriesPercentile("arena_state_ack_rtt_seconds", 99),
      latenessP99: seriesPercentile("arena_tick_lateness_seconds", 99),
      cpu: series((prev, cur, dt) => ((cur.reduce((s, t) => s + metric(t, "process_cpu_seconds_total"), 0) - prev.reduce((s, t) => s + metric(t, "process_cpu_seconds_total"), 0)) / dt) * 100),
      rss: rssSeries,
      matches: series((_p, cur) => cur.reduce((s, t) => s + metric(t, "arena_matches_running"), 0)),
      rttBuckets: rtt.map((b, i) => ({ label: Number.isFinite(b.le) ? `${b.le * 1000}ms` : "more", count: b.count - (rtt[i - 1]?.count ?? 0) })),
      latenessBuckets: late.map((b, i) => ({ label: Number.isFinite(b.le) ? `${b.le * 1000}ms` : "more", count: b.count - (late[i - 1]?.count ?? 0) })),
    };
    return { result, charts };
  } finally {
    for (const g of generators) g.child.kill("SIGKILL");
    await Promise.all(nodes.map((n) => n.kill().catch(() => undefined)));
    await redis?.stop();
  }
}

async function runRawBaseline() {
  const port = await freePort();
  const server = launch(["bench/raw-uws.ts", "server", String(port)], 0);
  await next(server.lines, "listening");
  const clients = launch(["bench/raw-uws.ts", "clients", String(port), String(PLAYERS), String(SECONDS)], 1);
  try {
    await next(clients.lines, "ready");
    const stats = async () => (await (await fetch(`http://127.0.0.1:${port}/stats`)).json()) as { cpuSeconds: number; rssBytes: number; sent: number; acks: number };
    const before = await stats();
    const done = await next(clients.lines, "done");
    const after = await stats();
    const cpu = after.cpuSeconds - before.cpuSeconds;
    return {
      engine: "raw-uws",
      players: PLAYERS,
      serverCpuPercent: round((cpu / SECONDS) * 100, 1),
      serverRssMb: round(after.rssBytes / 1e6, 1),
      statesPerSecond: done.statesPerSecond,
      messagesPerCpuSecond: Math.round((after.sent - before.sent + after.acks - before.acks) / Math.max(cpu, 1e-9)),
      generatorCpuPercent: [done.cpuPercent],
    };
  } finally {
    clients.child.kill("SIGKILL");
    server.child.kill("SIGKILL");
  }
}

const runs: Awaited<ReturnType<typeof runEngine>>[] = [];
for (const engine of ENGINES) runs.push(await runEngine(engine));
const baseline = values.baseline === "raw-uws" ? await runRawBaseline() : undefined;
const byEngine = Object.fromEntries(runs.map((r) => [r.result.engine, r.result]));
const ratios: Record<string, number> = {};
if (byEngine.uws && byEngine.ws) {
  ratios["uws/ws messages per CPU-second"] = round(byEngine.uws.messagesPerCpuSecond / byEngine.ws.messagesPerCpuSecond, 2);
  ratios["uws/ws RSS per player"] = round(byEngine.uws.rssPerPlayerKb / byEngine.ws.rssPerPlayerKb, 2);
  ratios["uws/ws p99 RTT"] = round(byEngine.uws.rttP99Ms / byEngine.ws.rttP99Ms, 2);
}
if (baseline && byEngine.uws) ratios["arena-uws/raw-uws messages per CPU-second"] = round(byEngine.uws.messagesPerCpuSecond / baseline.messagesPerCpuSecond, 2);

const report = { date: new Date().toISOString(), cores: pinning, scenario: SCENARIO, players: PLAYERS, seconds: SECONDS, runs: runs.map((r) => r.result), baseline, ratios };
mkdirSync(OUT, { recursive: true });
writeFileSync(`${OUT}/report.json`, JSON.stringify({ ...report, charts: runs.map((r) => ({ engine: r.result.engine, ...r.charts })) }, null, 2));
const pick = (name: keyof (typeof runs)[number]["charts"]) => runs.map((r): Series => ({ name: r.result.engine, points: r.charts[name] as [number, number][] }));
const html = page(
  `Arena bench: ${SCENARIO}, ${PLAYERS} players, ${SECONDS} s`,
  `<p>${report.date} · ${pinning}</p>` +
    table(runs.map((r) => r.result).concat(baseline ? [baseline as never] : []).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Array.isArray(v) ? v.join(" ") : v])))) +
    table([ratios]) +
    (runs.some((r) => r.result.generatorBottleneck) ? `<p class="warn">A load generator used most of its core: the figures are a lower bound for the server.</p>` : "") +
    lineChart("state-ack RTT p99 per second", "ms", pick("rttP99")) +
    lineChart("tick lateness p99 per second", "ms", pick("latenessP99")) +
    lineChart("server CPU", "%", pick("cpu")) +
    lineChart("server RSS", "MB", pick("rss")) +
    lineChart("matches running", "", pick("matches")) +
    runs.map((r) => histogramChart(`${r.result.engine}: state-ack RTT`, r.charts.rttBuckets) + histogramChart(`${r.result.engine}: tick lateness`, r.charts.latenessBuckets)).join(""),
);
writeFileSync(`${OUT}/report.html`, html);
console.table(runs.map((r) => r.result).concat(baseline ? [baseline as never] : []).map((r) => ({ engine: r.engine, cpu: r.serverCpuPercent, rssMb: r.serverRssMb, statesPerS: r.statesPerSecond, msgPerCpuS: r.messagesPerCpuSecond, rttP99: r.rttP99Ms, lateP99: r.tickLatenessP99Ms, errors: r.errors })));
console.table(ratios);
console.log(`cores: ${pinning}\nreport: ${OUT}/report.json, ${OUT}/report.html`);
if (runs.some((r) => r.result.generatorBottleneck)) console.log("warning: a load generator was the bottleneck; the figures are a lower bound");
const failed = SCENARIO !== "queue-storm" && runs.some((r) => r.result.errors > 0 || r.result.disconnects > 0 || r.result.unstartedPlayers > 0 || r.result.acksLost > r.result.statesPerSecond);
process.exit(failed ? 1 : 0);
