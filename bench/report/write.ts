import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, release, totalmem } from "node:os";
import { CORES } from "../fleet.ts";
import type { StreamRun } from "../measure.ts";
import type { PairingResult } from "../scenarios/pairing.ts";
import type { CapacityResult, MeasuredRun } from "../scenarios/stream.ts";
import { round } from "../stats.ts";
import { page, percentileAxis, table, type Chart } from "./html.ts";

export interface Report {
  scenario: string;
  config: Record<string, unknown>;
  runs: MeasuredRun[];
  baselines: MeasuredRun[];
  capacity: CapacityResult[];
  pairing: PairingResult[];
  other: Record<string, unknown>[];
}

function commit(): string {
  try {
    const sha = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { encoding: "utf8" }).trim() !== "";
    return dirty ? `${sha} (with uncommitted changes)` : sha;
  } catch {
    return "unknown";
  }
}

/** Least-squares slope of y over t, per hour, ignoring the first quarter (warm-up). */
function perHour(t: number[], y: number[]): number | null {
  const points = t.map((x, i) => [x, y[i]!] as const).filter(([x]) => x >= (t.at(-1) ?? 0) / 4);
  if (points.length < 3) return null;
  const mt = points.reduce((a, [x]) => a + x, 0) / points.length;
  const my = points.reduce((a, [, v]) => a + v, 0) / points.length;
  return round((points.reduce((a, [x, v]) => a + (x - mt) * (v - my), 0) / points.reduce((a, [x]) => a + (x - mt) ** 2, 0)) * 3600, 1);
}

export function ratios(runs: StreamRun[], baselines: StreamRun[], capacity: CapacityResult[]): Record<string, number> {
  const out: Record<string, number> = {};
  const uws = runs.find((r) => r.engine === "uws");
  const ws = runs.find((r) => r.engine === "ws");
  if (uws && ws && uws.players === ws.players) {
    out["uws/ws serverCpuUsPerState"] = round(uws.serverCpuUsPerState / ws.serverCpuUsPerState, 2);
    out["uws/ws rssPerPlayerKb"] = round(uws.rssPerPlayerKb / ws.rssPerPlayerKb, 2);
  }
  const ratio = (a: number | null, b: number | null) => (a !== null && b !== null && b > 0 ? round(a / b, 2) : Number.NaN);
  // Each run against the baseline of its own pass (`--repeat`): with several passes, the median
  // ratio, and its lowest and highest beside it.
  const perPair = new Map<string, number[]>();
  const add = (key: string, value: number) => perPair.set(key, [...(perPair.get(key) ?? []), value]);
  for (const base of baselines) {
    for (const run of runs) {
      if (run.players !== base.players || (run.repeat ?? 1) !== (base.repeat ?? 1)) continue;
      const pair = `${run.engine}/${base.engine}`;
      add(`${pair} serverCpuUsPerState`, ratio(run.serverCpuUsPerState, base.serverCpuUsPerState));
      add(`${pair} rttP99`, ratio(run.rttUs.p99, base.rttUs.p99));
      add(`${pair} tickLatenessP99`, ratio(run.tickLatenessUs.p99, base.tickLatenessUs.p99));
      add(`${pair} bytesPerState`, ratio(run.bytesPerState, base.bytesPerState));
      add(`${pair} allocatedBytesPerState`, ratio(run.allocatedBytesPerState, base.allocatedBytesPerState));
    }
  }
  for (const [key, values] of perPair) {
    const sorted = [...values].sort((a, b) => a - b);
    out[key] = sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : round((sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2, 2);
    if (sorted.length > 1) {
      out[`${key} lowest`] = sorted[0]!;
      out[`${key} highest`] = sorted.at(-1)!;
    }
  }
  // Capacity against the floor searched the same way in the same run.
  const bases = capacity.filter((c) => c.engine.startsWith("raw-"));
  for (const base of bases)
    for (const c of capacity) if (!c.engine.startsWith("raw-")) out[`${c.engine}/${base.engine} playersPerCore`] = ratio(c.playersPerCore, base.playersPerCore);
  for (const run of [...runs, ...baselines])
    out[`${run.engine} ${run.players} players${run.repeat ? ` #${run.repeat}` : ""}: generator/server CPU per state`] = round(
      run.generatorCpuUsPerState / run.serverCpuUsPerState,
      2,
    );
  return out;
}

/** Writes report.json and report.html to `out`, prints a summary; returns whether the run failed. */
export function writeReport(out: string, report: Report): boolean {
  const runs = report.runs.map((m) => m.run);
  const baselines = report.baselines.map((m) => m.run);
  const all = [...report.runs, ...report.baselines];
  const soak =
    report.scenario === "soak" ? report.runs.map((m) => ({ engine: m.run.engine, rssGrowthMbPerHour: perHour(m.series.t, m.series.rssMb) })) : undefined;
  // A target's nodes run where its operator put them: only the generators are this machine's.
  const sharing = report.config.target ? `the target's nodes run elsewhere, not pinned by the bench; load generators on this machine (${CORES})` : CORES;
  const json = {
    date: new Date().toISOString(),
    commit: commit(),
    machine: { cpu: cpus()[0]?.model, cores: cpus().length, memoryGb: round(totalmem() / 2 ** 30, 1), node: process.version, kernel: release() },
    cores: sharing,
    scenario: report.scenario,
    config: report.config,
    runs,
    baseline: baselines[0],
    baselines,
    capacity: report.capacity,
    pairing: report.pairing,
    results: report.other,
    ...(soak ? { soak } : {}),
    ratios: ratios(runs, baselines, report.capacity),
    series: all.map((m) => ({ engine: m.run.engine, players: m.run.players, ...m.series })),
    curves: all.map((m) => ({ engine: m.run.engine, players: m.run.players, ...m.curves })),
  };
  mkdirSync(out, { recursive: true });
  writeFileSync(`${out}/report.json`, JSON.stringify(json, null, 2));
  writeFileSync(`${out}/report.html`, html(json, all));

  const rows = [...runs, ...baselines].map((r) => ({
    engine: r.engine,
    players: r.players,
    "states/s": `${r.statesPerSecond}/${r.statesDuePerSecond}`,
    "inputs/s": r.inputsPerSecond,
    "server us/state": r.serverCpuUsPerState,
    "gen us/state": r.generatorCpuUsPerState,
    "server %": r.serverCpuPercent,
    "gen %": r.generatorCpuPercent.join(" "),
    "rtt p50/p99 us": `${r.rttUs.p50}/${r.rttUs.p99}`,
    "late p99 us": r.tickLatenessUs.p99,
    "in->state p99 us": r.inputToStateUs.p99,
    "bytes/state": r.bytesPerState,
    "alloc B/state": r.allocatedBytesPerState,
    "egress KB/s per 1k": round(r.egressBytesPerSecondPer1000 / 1000, 1),
    acksLost: r.acksLost,
    errors: r.errors,
  }));
  if (rows.length) console.table(rows);
  if (report.capacity.length) console.table(report.capacity.map(({ steps: _steps, ...c }) => c));
  if (report.pairing.length) console.table(report.pairing.map(({ steps: _steps, ...p }) => p));
  const printable = (o: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v !== null && typeof v === "object" ? JSON.stringify(v) : v]));
  if (report.other.length) console.table(report.other.map(printable));
  if (Object.keys(json.ratios).length) console.table(json.ratios);
  if (soak) console.table(soak);
  const cores = report.scenario === "migration" || report.scenario === "spectators" ? String(report.other[0]?.cores ?? CORES) : sharing;
  console.log(`cores: ${cores}\nreport: ${out}/report.json, ${out}/report.html`);
  const saturated = [...runs, ...baselines].filter((r) => r.limitedBy === "generator");
  if (saturated.length && report.scenario !== "capacity")
    console.log(
      `note: the load generator passed 70% of its core in ${saturated.map((r) => `${r.engine} at ${r.players}`).join(", ")}: those figures bound the server from above`,
    );
  const bad = [...runs, ...baselines].filter((r) => r.errors > 0 || r.acksLost > 0 || r.disconnects > 0 || r.unstartedPlayers > 0 || r.statesUndelivered > 0);
  const badStorm = report.other.some((o) => Number(o.unpaired ?? 0) > 0 || Number(o.disconnects ?? 0) > 0 || Number(o.playersWithoutResume ?? 0) > 0);
  // A capacity search breaks the SLO on purpose: only its held levels must be clean.
  const failing = report.scenario === "capacity" ? bad.filter((r) => r.errors > 0 || r.disconnects > 0) : bad;
  for (const r of failing)
    console.log(
      `FAILED: ${r.engine} at ${r.players} players: ${r.errors} errors ${JSON.stringify(r.errorCodes)}, ${r.acksLost} acks lost, ${r.statesUndelivered} states undelivered, ${r.disconnects} disconnects, ${r.unstartedPlayers} players never started`,
    );
  return failing.length > 0 || badStorm;
}

function html(
  json: Record<string, unknown> & {
    runs: StreamRun[];
    baselines: StreamRun[];
    capacity: CapacityResult[];
    pairing: PairingResult[];
    results: Record<string, unknown>[];
    ratios: Record<string, number>;
  },
  all: MeasuredRun[],
): string {
  const name = (m: MeasuredRun) => `${m.run.engine} ${m.run.players}`;
  const timeChart = (title: string, unit: string, pick: (m: MeasuredRun) => (number | null)[]): Chart => ({
    title,
    x: { label: "seconds into the window", values: all[0]?.series.t ?? [] },
    y: { label: unit },
    series: all.map((m) => ({ name: name(m), values: pick(m) })),
  });
  const curve = (title: string, key: string): Chart => ({
    title,
    x: percentileAxis(),
    y: { label: "microseconds", log: true },
    series: all.map((m) => ({ name: name(m), values: m.curves[key]! })),
  });
  const capacityCharts: Chart[] = json.capacity.map((c) => ({
    title: `capacity search, ${c.engine}: p99 state-ack RTT and tick lateness by load`,
    x: { label: "players", values: c.steps.map((s) => s.players) },
    y: { label: "microseconds", log: true },
    series: [
      { name: "rtt p99", values: c.steps.map((s) => s.rttP99Us) },
      { name: "tick lateness p99", values: c.steps.map((s) => s.tickLatenessP99Us) },
    ],
  }));
  const pairingCharts: Chart[] = json.pairing.map((p) => ({
    title: `pairing, ${p.store} store, ${p.nodes} node(s): overhead by arrival rate`,
    x: { label: "joins per second offered", values: p.steps.map((s) => s.offeredJoinsPerSecond) },
    y: { label: "microseconds", log: true },
    series: [
      { name: "overhead p50", values: p.steps.map((s) => s.overheadUs.p50) },
      { name: "overhead p99", values: p.steps.map((s) => s.overheadUs.p99) },
    ],
  }));
  const flat = (r: StreamRun) => ({
    ...r,
    rttUs: JSON.stringify(r.rttUs),
    inputToStateUs: JSON.stringify(r.inputToStateUs),
    tickLatenessUs: JSON.stringify(r.tickLatenessUs),
  });
  return page(
    `Arena bench: ${String(json.scenario)}`,
    `<p>${String(json.date)} · commit ${String(json.commit)} · ${String(json.cores)}</p>${table([json.machine as Record<string, unknown>])}${table([json.config as Record<string, unknown>])}`,
    [
      { heading: "Runs", html: table([...json.runs, ...json.baselines].map(flat)) + table([json.ratios]) },
      ...(json.capacity.length
        ? [
            {
              heading: "Capacity",
              html: table(json.capacity.map(({ steps: _s, ...c }) => c)) + json.capacity.map((c) => `<h3>${c.engine}: steps</h3>${table(c.steps)}`).join(""),
              charts: capacityCharts,
            },
          ]
        : []),
      ...(json.pairing.length
        ? [
            {
              heading: "Pairing",
              html:
                table(json.pairing.map(({ steps: _s, ...p }) => p)) +
                json.pairing
                  .map(
                    (p) =>
                      `<h3>${p.store} store, ${p.nodes} node(s): steps</h3>${table(p.steps.map((s) => ({ ...s, overheadUs: JSON.stringify(s.overheadUs) })))}`,
                  )
                  .join(""),
              charts: pairingCharts,
            },
          ]
        : []),
      ...(json.results.length ? [{ heading: "Results", html: table(json.results) }] : []),
      ...(all.length
        ? [
            {
              heading: "Latency distributions (whole window)",
              charts: [
                curve("state-ack RTT (server)", "rttUs"),
                curve("input to state (client)", "inputToStateUs"),
                curve("tick lateness per room (server)", "tickLatenessUs"),
              ],
            },
            {
              heading: "Over time (one point per second)",
              charts: [
                timeChart("server CPU", "% of one core", (m) => m.series.serverCpuPercent),
                timeChart("load generator CPU", "% of one core", (m) => m.series.generatorCpuPercent),
                timeChart("states delivered", "states per second", (m) => m.series.statesPerSecond),
                timeChart("state-ack RTT p99", "microseconds", (m) => m.series.rttP99Us),
                timeChart("tick lateness p99", "microseconds", (m) => m.series.tickLatenessP99Us),
                timeChart("server RSS", "MB", (m) => m.series.rssMb),
              ],
            },
          ]
        : []),
    ],
  );
}
