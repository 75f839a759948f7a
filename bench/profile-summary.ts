/**
 * Where a CPU profile's time went: self time by function and by package, busy samples only.
 *   tsx bench/profile-summary.ts <file.cpuprofile> [top] [from s] [to s]
 * `from` and `to` keep the samples of a window (seconds since the profile began): the steady
 * state, without start-up and shutdown.
 */
import { readFileSync } from "node:fs";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg = "25", fromArg, toArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write("usage: tsx bench/profile-summary.ts <file.cpuprofile> [top] [from s] [to s]\n");
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
const from = fromArg === undefined ? -Infinity : Number(fromArg) * 1e6;
const to = toArg === undefined ? Infinity : Number(toArg) * 1e6;
let at = 0;
profile.samples.forEach((id, i) => {
  const delta = profile.timeDeltas[i] ?? 0;
  at += delta;
  if (at >= from && at < to) self.set(id, (self.get(id) ?? 0) + delta);
});
console.log(`profile spans ${(at / 1e6).toFixed(1)} s`);

/** The package (or project folder) a frame belongs to. */
function owner(url: string): string {
  if (!url) return "(native)";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith("node:")) return "node";
  const project = /\/(server|matchmaker|game-rooms|protocol|clients|bench)\//.exec(url);
  return project ? `arena ${project[1]}` : url;
}

const functions = new Map<string, number>();
const owners = new Map<string, number>();
let busy = 0;
let idle = 0;
for (const [id, us] of self) {
  const { functionName, url, lineNumber, columnNumber } = byId.get(id)!.callFrame;
  if (functionName === "(idle)" || functionName === "(program)") {
    if (functionName === "(idle)") idle += us;
    else busy += us;
    if (functionName === "(idle)") continue;
  } else busy += us;
  const name = functionName === "(garbage collector)" ? "(gc)" : `${functionName || "(anonymous)"} ${owner(url)}:${lineNumber + 1}:${columnNumber + 1}`;
  functions.set(name, (functions.get(name) ?? 0) + us);
  const who = functionName === "(garbage collector)" ? "(gc)" : functionName === "(program)" ? "(program)" : owner(url);
  owners.set(who, (owners.get(who) ?? 0) + us);
}
const share = (us: number) => `${((us / busy) * 100).toFixed(1)}%`;
const top = Number(topArg);
console.log(`busy ${(busy / 1e6).toFixed(2)} s, idle ${(idle / 1e6).toFixed(2)} s\n`);
console.log("| by package | share of busy |\n| --- | --- |");
for (const [name, us] of [...owners].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`| ${name} | ${share(us)} |`);
console.log("\n| by function (self) | share of busy |\n| --- | --- |");
for (const [name, us] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`| ${name} | ${share(us)} |`);
