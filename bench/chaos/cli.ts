import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parseDuration } from "../duration.ts";
import { runChaos } from "./chaos.ts";

/**
 * `npm run chaos -- --nodes 3 --players 600 --duration 10m [--out bench-out/chaos]`: bots play
 * while nodes are killed and restarted and Redis connections cut; writes report.json and
 * report.md, and exits 1 when an invariant broke.
 */

const { values } = parseArgs({
  options: {
    nodes: { type: "string", default: "3" },
    players: { type: "string", default: "600" },
    duration: { type: "string", default: "10m" },
    out: { type: "string", default: "bench-out/chaos" },
  },
});
const options = { nodes: Number(values.nodes), players: Number(values.players), durationMs: parseDuration(values.duration) };
if (!(options.nodes >= 2) || !(options.players >= 2)) throw new Error("--nodes needs at least 2 (one is killed at a time), --players at least 2");
const report = await runChaos({ ...options, say: (line) => process.stdout.write(`${line}\n`) });
mkdirSync(values.out, { recursive: true });
writeFileSync(join(values.out, "report.json"), `${JSON.stringify(report, null, 2)}\n`);
const md = [
  `# Chaos run: ${options.nodes} nodes, ${options.players} players, ${options.durationMs / 1000} s`,
  "",
  `- SIGKILLed and restarted: ${report.kills} nodes`,
  `- Redis connections cut: ${report.cuts} times (every connection), ${report.scriptCuts} times (right after a pairing script)`,
  `- Match ends seen by the bots: ${report.matchesEnded}; invariant checks: ${report.checks}`,
  `- Resident memory (MB) per node at each check: ${Object.entries(report.rssMb)
    .map(([node, mb]) => `${node} ${mb.join(" ")}`)
    .join("; ")}`,
  "",
  report.violations.length ? `## ${report.violations.length} violations\n\n${report.violations.map((v) => `- ${v}`).join("\n")}` : "No invariant broke.",
  "",
].join("\n");
writeFileSync(join(values.out, "report.md"), md);
process.stdout.write(md);
process.exit(report.violations.length ? 1 : 0);
