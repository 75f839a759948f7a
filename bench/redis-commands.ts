/**
 * Where a pairing cycle's Redis commands go: one node on a private Redis (standalone or a 3-master
 * Cluster), SDK players joining tictactoe at a steady rate, and every command Redis runs watched
 * with MONITOR, each command a script runs counted under that script. The cycle: `walk-out` (the
 * pairing scenario's), both players leave each ready check; `play`, both ready and one forfeits as
 * the match starts (two joins, the pairing, two ready checks, the start, the end). Prints, per
 * pairing made, each script's calls and the commands inside them.
 *   npm run bench:redis-commands -- [--store redis|cluster] [--rate 1000] [--seconds 3] [--players 3000] [--cycle walk-out|play]
 */
import { createHash } from "node:crypto";
import { parseArgs } from "node:util";
import { scriptSources } from "../matchmaker/lua-scripts.ts";
import { Fleet } from "./fleet.ts";
import { type Monitored, RedisMonitor } from "./redis-monitor.ts";

const { values } = parseArgs({
  options: {
    store: { type: "string", default: "redis" },
    rate: { type: "string", default: "1000" },
    seconds: { type: "string", default: "3" },
    players: { type: "string", default: "3000" },
    cycle: { type: "string", default: "walk-out" },
  },
});
const store = values.store === "cluster" ? "cluster" : "redis";
const scriptBySha = new Map([...scriptSources].map(([name, source]) => [createHash("sha1").update(source).digest("hex"), name]));

interface Tally {
  calls: number;
  inner: Map<string, number>;
}

const fleet = await Fleet.start({
  server: "arena",
  engine: "uws",
  nodes: 1,
  store,
  client: "sdk",
  game: "tictactoe",
  generators: 1,
  env: { READY_TIMEOUT_MS: "3000" },
});
const monitors: RedisMonitor[] = [];
let failed: string | undefined;
try {
  await fleet.connect(Number(values.players));
  const tallies = new Map<string, Tally>();
  for (const port of fleet.redisPorts()) {
    // MONITOR lists a script's own commands (source "lua") right after the EVALSHA that ran it, per master.
    let current: Tally | undefined;
    const onCommand = ({ args, source }: Monitored) => {
      const command = args[0]!.toLowerCase();
      if (source.startsWith("lua")) {
        if (current) current.inner.set(command, (current.inner.get(command) ?? 0) + 1);
        return;
      }
      const name = command === "evalsha" ? (scriptBySha.get(args[1]!) ?? "unknown script") : command === "eval" ? "eval (first run)" : command;
      current = tallies.get(name) ?? { calls: 0, inner: new Map() };
      current.calls++;
      tallies.set(name, current);
    };
    // A monitor that falls over must not take the run with it (and leave the fleet running): the count is then short, and said so.
    monitors.push(
      await RedisMonitor.start(port, onCommand, (error) => {
        failed ??= error.message;
      }),
    );
  }
  const [paced] = await fleet.all<{ pairs: number; joinsPerSecond: number }>(
    { cmd: "pace", rate: Number(values.rate), seconds: Number(values.seconds), cycle: values.cycle },
    "paced",
  );
  await new Promise((resolve) => setTimeout(resolve, 500));
  for (const monitor of monitors.splice(0)) monitor.stop();
  const pairs = Math.max(1, paced!.pairs);
  const per = (n: number) => (n / pairs).toFixed(2);
  const rows = [...tallies].map(([name, t]) => ({ name, t, inner: [...t.inner.values()].reduce((a, b) => a + b, 0) }));
  rows.sort((a, b) => b.t.calls + b.inner - (a.t.calls + a.inner));
  let total = 0;
  process.stdout.write(`${store}, cycle ${values.cycle}, ${paced!.pairs} pairings at ${paced!.joinsPerSecond.toFixed(0)} joins/s\n\n`);
  process.stdout.write(
    "| script or command | calls per pairing | commands inside, per pairing | all, per pairing | inside, by command, per call |\n| --- | --- | --- | --- | --- |\n",
  );
  for (const { name, t, inner } of rows) {
    total += t.calls + inner;
    const byCommand = [...t.inner]
      .sort((a, b) => b[1] - a[1])
      .map(([command, n]) => `${command} ${(n / t.calls).toFixed(1)}`)
      .join(", ");
    process.stdout.write(`| ${name} | ${per(t.calls)} | ${per(inner)} | ${per(t.calls + inner)} | ${byCommand} |\n`);
  }
  process.stdout.write(`\ntotal: ${per(total)} commands per pairing\n`);
  if (failed) {
    process.stdout.write(`a monitor connection failed (${failed}): the counts above are short\n`);
    process.exitCode = 1;
  }
} finally {
  for (const monitor of monitors) monitor.stop();
  await fleet.stop();
}
