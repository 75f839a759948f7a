/**
 * The operator's bench. Every scenario starts its own servers (pinned to core 0) and load generators
 * (pinned to core 1), and writes `report.json` and a self-contained `report.html` to `--out`.
 *   npm run bench -- --scenario steady --players 1000 --duration 30s --engine uws,ws --baseline raw-socketio,raw-uws --out bench-out/steady
 *     [--ack-every N] [--input-acks on|off]   (steady and capacity: state:ack cadence; inputs answered or not)
 *     [--encoding json,compact]               (steady and capacity: the state encodings Arena's players ask for, each a run)
 *   npm run bench -- --scenario capacity --engine uws,ws --baseline raw-socketio --out bench-out/capacity   (the baseline searched the same way)
 *   npm run bench -- --scenario pairing --out bench-out/pairing          (memory, Redis, Redis with 3 nodes)
 *   npm run bench -- --scenario queue-storm --players 5000 --out bench-out/storm
 *   npm run bench -- --scenario idle --players 5000 --engine uws,ws --baseline raw-socketio --out bench-out/idle   (heap and RSS per connection)
 *   npm run bench -- --scenario soak --players 200 --duration 10m --out bench-out/soak
 *   npm run bench -- --scenario migration --players 200 --out bench-out/migration  (resume time after a host's SIGKILL)
 *   npm run bench -- --scenario spectators --players 200 --duration 10s --out bench-out/spectators  (4 spectators a match)
 *   npm run bench -- --target https://play.example.com --target-metrics http://10.0.0.1:9100,http://10.0.0.2:9100 --players 200 --game pong
 *     (steady on a deployment it did not start: players join through its load balancer and follow match:found.host)
 * The exit code is 1 on any error, lost ack, unexpected disconnect or unstarted player, and 2 on bad
 * usage (a mistyped flag included); `--help` prints the usage.
 */
import { loadGames } from "../game-rooms/games/load-games.ts";
import { WirePlayer } from "./generator/wire-player.ts";
import { parseArgs } from "node:util";
import cliProgress from "cli-progress";
import type { ServerKind, Target } from "./fleet.ts";
import { writeReport, type Report } from "./report/write.ts";
import { idle } from "./scenarios/idle.ts";
import { migration } from "./scenarios/migration.ts";
import { spectators } from "./scenarios/spectators.ts";
import { pairingRamp, queueStorm, type PairingSetup } from "./scenarios/pairing.ts";
import { capacity, steady, type MeasuredRun, type StreamOptions } from "./scenarios/stream.ts";

const SCENARIOS = ["steady", "capacity", "pairing", "queue-storm", "idle", "soak", "migration", "spectators"];
const USAGE = `usage: npm run bench -- --scenario ${SCENARIOS.join("|")} --players N --duration 30s|10m --engine uws,ws --client wire|sdk --game NAME|PATH --nodes N --store memory|redis|cluster --baseline raw-socketio,raw-uws --ack-every N --input-acks on|off --encoding json,compact --repeat N --out DIR\n    [--target URL [--target-metrics URL,URL]]   (steady on a running deployment: players connect to URL and follow match:found.host; each node's /metrics/latency is read at --target-metrics, default URL)\n`;

function usage(problem: string): never {
  process.stderr.write(`bench: ${problem}\n  ${USAGE}`);
  process.exit(2);
}

/** `--target` and `--target-metrics` as URLs (the metrics default to the target's own address: one node, METRICS_PORT=0). */
function targetOf(url: string, metrics: string | undefined): Target {
  const parsed = (text: string) => {
    try {
      return new URL(text).origin;
    } catch {
      return usage(`not a URL: ${text}`);
    }
  };
  return { url: parsed(url), metrics: (metrics ?? url).split(",").filter(Boolean).map(parsed) };
}

/** The game's tick rate as the deployment runs it (`GET /v1/games`). */
async function targetTickRate(url: string, game: string): Promise<number> {
  const games = (await fetch(`${url}/v1/games`)
    .then((r) => r.json())
    .catch((error: Error) => usage(`--target ${url} does not answer GET /v1/games: ${error.message}`))) as { name: string; tickRate: number }[];
  const found = games.find((g) => g.name === game);
  return found ? found.tickRate : usage(`--target ${url} does not serve ${game} (it serves ${games.map((g) => g.name).join(", ")})`);
}

function parse() {
  try {
    return parseArgs({ options: OPTIONS });
  } catch (error) {
    // A mistyped flag is bad usage (exit 2, one line), not a crash.
    return usage((error as Error).message);
  }
}

const OPTIONS = {
  scenario: { type: "string", default: "steady" },
  players: { type: "string", default: "1000" },
  duration: { type: "string", default: "30s" },
  engine: { type: "string", default: "uws" },
  client: { type: "string" },
  game: { type: "string", default: WirePlayer.decodes },
  nodes: { type: "string", default: "1" },
  store: { type: "string", default: "memory" },
  baseline: { type: "string" },
  out: { type: "string", default: "bench-out" },
  "tick-rate": { type: "string" },
  "ack-every": { type: "string", default: "1" },
  "input-acks": { type: "string", default: "on" },
  encoding: { type: "string", default: "json" },
  repeat: { type: "string", default: "1" },
  target: { type: "string" },
  "target-metrics": { type: "string" },
  help: { type: "boolean", default: false },
} as const;
const { values } = parse();
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const scenario = values.scenario!;
const duration = /^(\d+)(s|m)?$/.exec(values.duration!);
const seconds = duration ? Number(duration[1]) * (duration[2] === "m" ? 60 : 1) : NaN;
const players = Number(values.players);
const engines = values.engine!.split(",");
const baselines = (values.baseline ?? "").split(",").filter(Boolean) as ServerKind[];
const game = values.game!;
const target = values.target ? targetOf(values.target, values["target-metrics"]) : undefined;
// The wire client reads one game's states by hand; every other game plays through the SDK, and so
// does a target's load (the SDK follows `match:found.host` through the load balancer as clients do).
const client = (values.client ?? (game === WirePlayer.decodes && !target ? "wire" : "sdk")) as "wire" | "sdk";
if (target && (client !== "sdk" || scenario !== "steady" || baselines.length))
  usage("--target runs the steady scenario with the sdk client and no baseline (a deployment is measured as it is)");
if (client === "wire" && game !== WirePlayer.decodes) usage(`--client wire reads only ${WirePlayer.decodes}'s states: play ${game} with --client sdk`);
if (!SCENARIOS.includes(scenario)) usage(`unknown scenario ${scenario}`);
if (!(players > 0) || !(seconds > 0)) usage("--players and --duration must be positive");
if (players % 2 !== 0 && scenario !== "idle") usage("--players must be even: two players a match");
if (engines.some((e) => e !== "uws" && e !== "ws")) usage("--engine takes uws, ws or both");
if (baselines.some((b) => b !== "raw-uws" && b !== "raw-socketio")) usage("--baseline takes raw-uws, raw-socketio or both");
const repeat = Number(values.repeat);
if (!Number.isInteger(repeat) || repeat < 1 || repeat > 20) usage("--repeat takes 1 to 20");
if (repeat > 1 && scenario !== "steady") usage("--repeat is for the steady scenario");
const ackEvery = Number(values["ack-every"]);
if (!Number.isInteger(ackEvery) || ackEvery < 1 || ackEvery > 60) usage("--ack-every takes 1 to 60");
if (values["input-acks"] !== "on" && values["input-acks"] !== "off") usage("--input-acks takes on or off");
if (client !== "wire" && client !== "sdk") usage("--client takes wire or sdk");
const encodings = values.encoding!.split(",") as ("json" | "compact")[];
if (!encodings.length || encodings.some((e) => e !== "json" && e !== "compact")) usage("--encoding takes json, compact or both");
if (client === "sdk" && encodings.includes("compact")) usage("--encoding compact is read by the wire client only");

const bar = new cliProgress.SingleBar(
  { format: "{label} [{bar}] {value}/{total}", hideCursor: true, clearOnComplete: true },
  cliProgress.Presets.shades_classic,
);
let barLabel = "";
const stream: StreamOptions = {
  players,
  seconds,
  // Readings are taken on the game's own tick clock: the game's tick rate unless --tick-rate (pong's PONG_TICK_RATE) says otherwise.
  tickRate: values["tick-rate"] ? Number(values["tick-rate"]) : target ? await targetTickRate(target.url, game) : (await loadGames([game]))[0]!.module.tickRate,
  client,
  game,
  ackEvery,
  inputAcks: values["input-acks"] === "on",
  encoding: encodings[0]!,
  nodes: Number(values.nodes),
  store: values.store === "redis" || values.store === "cluster" ? values.store : "memory",
  ...(target ? { target } : {}),
  env: scenario === "soak" ? { PONG_POINTS: "3", PONG_BALL_SPEED: "1.5" } : { PONG_POINTS: "1000000" },
  onProgress(label, done, total) {
    if (label !== barLabel) {
      bar.stop();
      bar.start(total, 0, { label });
      barLabel = label;
    }
    bar.update(done, { label });
  },
};

// Capacity and pairing searches choose their own loads and windows.
const load = scenario === "capacity" || scenario === "pairing" ? {} : { players, seconds };
const report: Report = {
  scenario,
  config: {
    ...load,
    engines,
    encodings,
    client,
    ackEvery,
    inputAcks: stream.inputAcks,
    nodes: stream.nodes,
    store: stream.store,
    baselines,
    tickRate: stream.tickRate,
    ...(repeat > 1 ? { repeat } : {}),
    ...(target ? { target } : {}),
  },
  runs: [],
  baselines: [],
  capacity: [],
  pairing: [],
  other: [],
};
const measured: MeasuredRun[] = [];
try {
  if (scenario === "steady" || scenario === "soak") {
    // With --repeat N, every server is measured once per pass: each ratio is taken within a pass
    // (minutes apart at most), and the report gives their median. Even passes run the servers in
    // the reverse order, so that whatever drifts over a pass (the machine warming, sockets left
    // in TIME_WAIT by the runs before) does not always favour the one that runs last.
    const tag = (m: MeasuredRun, pass: number) => (repeat > 1 ? Object.assign(m, { run: { ...m.run, repeat: pass } }) : m);
    const jobs: ((pass: number) => Promise<void>)[] = [];
    for (const engine of engines)
      for (const encoding of encodings) jobs.push(async (pass) => void measured.push(tag(await steady("arena", engine, { ...stream, encoding }), pass)));
    for (const kind of baselines) jobs.push(async (pass) => void report.baselines.push(tag(await steady(kind, "uws", stream), pass)));
    for (let pass = 1; pass <= repeat; pass++) for (const job of pass % 2 === 1 ? jobs : [...jobs].reverse()) await job(pass);
  } else if (scenario === "capacity") {
    for (const engine of engines)
      for (const encoding of encodings) {
        const { result, runs } = await capacity("arena", engine, { ...stream, encoding }, 5);
        report.capacity.push(result);
        measured.push(...runs);
      }
    // The floor, searched the same way in the same run: players per core is reported against it.
    for (const kind of baselines) {
      const { result, runs } = await capacity(kind, "uws", stream, 5);
      report.capacity.push(result);
      report.baselines.push(...runs);
    }
  } else if (scenario === "pairing") {
    const setups: PairingSetup[] =
      values.store === "memory" && values.nodes === "1" && !process.argv.includes("--store")
        ? [
            { engine: engines[0]!, store: "memory", nodes: 1, client },
            { engine: engines[0]!, store: "redis", nodes: 1, client },
            { engine: engines[0]!, store: "redis", nodes: 3, client },
          ]
        : [{ engine: engines[0]!, store: stream.store, nodes: stream.nodes, client }];
    for (const setup of setups)
      report.pairing.push(await pairingRamp(setup, (rate) => stream.onProgress(`pairing ${setup.store} x${setup.nodes}: ${rate} joins/s`, 1, 1)));
  } else if (scenario === "spectators") {
    report.other.push(await spectators(players, seconds));
  } else if (scenario === "migration") {
    report.other.push(await migration(players, stream.onProgress));
  } else if (scenario === "queue-storm") {
    for (const engine of engines) report.other.push(await queueStorm({ engine, store: stream.store, nodes: stream.nodes, client }, players));
  } else {
    for (const engine of engines) report.other.push(await idle("arena", engine, players, Math.min(seconds, 10), client));
    for (const kind of baselines) report.other.push(await idle(kind, "uws", players, Math.min(seconds, 10), client));
  }
} finally {
  bar.stop();
}
report.runs = measured;
const failed = writeReport(values.out!, report);
process.exit(failed ? 1 : 0);
