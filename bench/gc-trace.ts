/**
 * What the young-generation collector did in a server's steady state, from its `--trace-gc-nvp`
 * output: scavenges per second and, per scavenge (medians), the pause, the copying phase, the
 * ArrayBuffer sweep, the bytes that survived and the bytes promoted. A scavenge's cost follows
 * what survives it, and every room due during one leaves late.
 *   BENCH_SERVER_STDOUT=/tmp/gc/arena BENCH_SERVER_NODE_FLAGS=--trace-gc-nvp \
 *     BENCH_BASE_NODE_FLAGS=--trace-gc-nvp npm run bench -- --scenario steady ...
 *   npx tsx bench/gc-trace.ts /tmp/gc/arena.* [from fraction] [to fraction]
 * The window is a fraction of each trace's length (0.45-0.85 by default: after the ramp, before
 * the players leave).
 */
import { readFileSync } from "node:fs";
import { percentile, round } from "./stats.ts";

const FIELDS = ["pause", "scavenge.parallel", "scavenge.sweep_array_buffers", "scavenge.roots", "new_space_survived", "promoted"] as const;

interface Scavenge {
  at: number;
  values: Record<string, number>;
}

function scavenges(file: string): Scavenge[] {
  const out: Scavenge[] = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const head = /(\d+) ms: pause=/.exec(line);
    if (!head || !line.includes(" gc=s ")) continue;
    const values: Record<string, number> = {};
    for (const pair of line.split(" ")) {
      const eq = pair.indexOf("=");
      if (eq > 0) values[pair.slice(0, eq)] = Number.parseFloat(pair.slice(eq + 1));
    }
    out.push({ at: Number(head[1]), values });
  }
  return out;
}

const args = process.argv.slice(2);
const files = args.filter((a) => Number.isNaN(Number(a)));
const [from = 0.45, to = 0.85] = args.filter((a) => !Number.isNaN(Number(a))).map(Number);
if (files.length === 0) {
  process.stderr.write("usage: tsx bench/gc-trace.ts <trace file>... [from fraction] [to fraction]\n");
  process.exit(2);
}
const rows: Record<string, string | number>[] = [];
for (const file of files) {
  const all = scavenges(file);
  if (all.length === 0) continue;
  const end = all[all.length - 1]!.at;
  const window = all.filter((s) => s.at >= end * from && s.at <= end * to);
  const seconds = (end * (to - from)) / 1000;
  const row: Record<string, string | number> = { file, perSecond: round(window.length / seconds) };
  for (const field of FIELDS)
    row[field] = percentile(
      window.map((s) => s.values[field] ?? 0),
      50,
    );
  row["pause ms/s"] = round(window.reduce((sum, s) => sum + (s.values.pause ?? 0), 0) / seconds);
  rows.push(row);
}
console.table(rows);
