import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { CURVE_PERCENTILES } from "../histograms.ts";

const require = createRequire(import.meta.url);
const UPLOT_JS = readFileSync(require.resolve("uplot/dist/uPlot.iife.min.js"), "utf8");
const UPLOT_CSS = readFileSync(require.resolve("uplot/dist/uPlot.min.css"), "utf8");

/** One chart: series over a shared x axis, drawn by uPlot in the page. */
export interface Chart {
  title: string;
  /** `percentile`: the values are `log10(1 / (1 - p))`, labelled as percentiles (see `percentileAxis`). */
  x: { label: string; values: number[]; log?: boolean; percentile?: boolean };
  y: { label: string; log?: boolean };
  series: { name: string; values: (number | null)[] }[];
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

export function table(rows: Record<string, unknown>[]): string {
  if (rows.length === 0) return "";
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown) => esc(v !== null && typeof v === "object" ? JSON.stringify(v) : String(v ?? ""));
  return `<div class="scroll"><table><tr>${keys.map((k) => `<th>${esc(k)}</th>`).join("")}</tr>${rows
    .map((r) => `<tr>${keys.map((k) => `<td>${cell(r[k])}</td>`).join("")}</tr>`)
    .join("")}</table></div>`;
}

/** Where a percentile sits on the percentile axis: `log10(1 / (1 - p))`, so each nine gets the same room (as HdrHistogram plots it). */
export const percentileX = (p: number) => Math.log10(1 / (1 - Math.min(p, 99.999) / 100));

/** The ticks the percentile axis labels. */
export const PERCENTILE_TICKS = [0, 50, 90, 99, 99.9, 99.99, 99.999];

/**
 * The percentile-distribution chart's x axis. A linear scale over `percentileX` (not uPlot's log
 * scale, which handed the label function zeros: "-Infinity%"), ticked at 0%, 50%, 90%, 99%, 99.9%...
 */
export function percentileAxis(): Chart["x"] {
  return { label: "percentile", values: CURVE_PERCENTILES.map(percentileX), percentile: true };
}

/**
 * A self-contained page: the run's configuration, tables, and uPlot charts with axes and units.
 * uPlot's script and styles are inlined, so the file opens anywhere with no network.
 */
export function page(title: string, intro: string, sections: { heading: string; html?: string; charts?: Chart[] }[]): string {
  const charts = sections.flatMap((s) => s.charts ?? []);
  let index = 0;
  const body = sections
    .map((s) => `<h2>${esc(s.heading)}</h2>${s.html ?? ""}${(s.charts ?? []).map(() => `<div class="chart" id="chart${index++}"></div>`).join("")}`)
    .join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>${UPLOT_CSS}
body{font-family:system-ui,sans-serif;max-width:1100px;margin:24px auto;padding:0 8px;color:#222}.scroll{overflow-x:auto;max-width:100%}
.chart{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 6px;font-size:12px;text-align:right}
th{background:#f3f3f7}.chart{margin:12px 0 24px}.warn{color:#b5121b}</style></head>
<body><h1>${esc(title)}</h1>${intro}${body}
<script>${UPLOT_JS}</script>
<script>
const CHARTS = ${JSON.stringify(charts)};
const TICKS = ${JSON.stringify(PERCENTILE_TICKS.map(percentileX))};
// Kept for whoever inspects the page (the report's test reads the axes' labels from them).
window.charts = [];
const COLORS = ["#4f5bd5", "#e5484d", "#2f9e5a", "#d9a21b", "#8e44ad", "#16a2b8"];
CHARTS.forEach((c, i) => {
  const fmt = (v) => v == null ? "" : Math.abs(v) >= 1000 ? v.toLocaleString("en") : String(+v.toPrecision(4));
  window.charts.push(new uPlot({
    title: c.title, width: 1000, height: 300,
    scales: { x: { time: false, distr: c.x.log ? 3 : 1 }, y: { distr: c.y.log ? 3 : 1 } },
    axes: [
      c.x.percentile
        ? { label: c.x.label, splits: () => TICKS.filter((x) => x <= Math.max(...c.x.values) + 1e-9), values: (u, vals) => vals.map((v) => +(100 - 100 / 10 ** v).toPrecision(6) + "%") }
        : { label: c.x.label, values: (u, vals) => vals.map(fmt) },
      { label: c.y.label, size: 70, values: (u, vals) => vals.map(fmt) },
    ],
    series: [{ label: c.x.label }].concat(c.series.map((s, j) => ({ label: s.name, stroke: COLORS[j % COLORS.length], width: 2, points: { show: c.x.values.length < 40 } }))),
  }, [c.x.values].concat(c.series.map((s) => s.values)), document.getElementById("chart" + i)));
});
</script></body></html>`;
}
