/** A self-contained HTML report: tables and inline SVG charts, no scripts, no network. */

export interface Series {
  name: string;
  points: [number, number][];
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
const COLORS = ["#4f5bd5", "#e5484d", "#3ecf6e", "#e5b33b"];

/** A line chart of one or more series over time (seconds). */
export function lineChart(title: string, unit: string, series: Series[]): string {
  const all = series.flatMap((s) => s.points).filter(([, y]) => Number.isFinite(y));
  if (all.length === 0) return `<h3>${esc(title)}</h3><p>no data</p>`;
  const [w, h, pad] = [640, 220, 40];
  const maxX = Math.max(...all.map(([x]) => x), 1);
  const maxY = Math.max(...all.map(([, y]) => y), 1e-9) * 1.1;
  const px = (x: number) => pad + (x / maxX) * (w - 2 * pad);
  const py = (y: number) => h - pad + 10 - (y / maxY) * (h - 2 * pad);
  const lines = series
    .map((s, i) => {
      const d = s.points.filter(([, y]) => Number.isFinite(y)).map(([x, y], j) => `${j ? "L" : "M"}${px(x).toFixed(1)},${py(y).toFixed(1)}`).join("");
      return `<path d="${d}" fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="2"/><text x="${w - pad - 120}" y="${20 + i * 16}" fill="${COLORS[i % COLORS.length]}" font-size="12">${esc(s.name)}</text>`;
    })
    .join("");
  const axis = `<line x1="${pad}" y1="${h - pad + 10}" x2="${w - pad}" y2="${h - pad + 10}" stroke="#888"/><text x="${pad}" y="${h - 8}" font-size="11" fill="#888">0 s</text><text x="${w - pad - 30}" y="${h - 8}" font-size="11" fill="#888">${maxX.toFixed(0)} s</text><text x="4" y="${py(maxY / 1.1) + 4}" font-size="11" fill="#888">${(maxY / 1.1).toPrecision(3)} ${esc(unit)}</text>`;
  return `<h3>${esc(title)}</h3><svg width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img">${axis}${lines}</svg>`;
}

/** A bar chart of histogram buckets (non-cumulative counts). */
export function histogramChart(title: string, buckets: { label: string; count: number }[]): string {
  if (buckets.every((b) => b.count === 0)) return `<h3>${esc(title)}</h3><p>no data</p>`;
  const [w, h, pad] = [640, 200, 30];
  const max = Math.max(...buckets.map((b) => b.count));
  const bw = (w - 2 * pad) / buckets.length;
  const bars = buckets
    .map((b, i) => {
      const bh = (b.count / max) * (h - 2 * pad);
      return `<rect x="${pad + i * bw + 2}" y="${h - pad - bh}" width="${bw - 4}" height="${bh}" fill="#4f5bd5"/><text x="${pad + i * bw + 2}" y="${h - 10}" font-size="10" fill="#888">${esc(b.label)}</text>`;
    })
    .join("");
  return `<h3>${esc(title)}</h3><svg width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img">${bars}</svg>`;
}

export function table(rows: Record<string, unknown>[]): string {
  if (rows.length === 0) return "";
  const keys = Object.keys(rows[0]!);
  return `<div style="overflow-x:auto"><table><tr>${keys.map((k) => `<th>${esc(k)}</th>`).join("")}</tr>${rows
    .map((r) => `<tr>${keys.map((k) => `<td>${esc(String(r[k] ?? ""))}</td>`).join("")}</tr>`)
    .join("")}</table></div>`;
}

export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>
body{font-family:system-ui,sans-serif;max-width:980px;margin:24px auto;color:#222}table{border-collapse:collapse;margin:8px 0}
td,th{border:1px solid #ccc;padding:4px 8px;font-size:13px;text-align:right}th{background:#f3f3f7}svg{background:#fafafa;border:1px solid #eee}
.warn{color:#b5121b}</style></head><body><h1>${esc(title)}</h1>${body}</body></html>`;
}
