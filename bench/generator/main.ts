/**
 * A load generator process for `npm run bench`. The bench drives it with one JSON command per line
 * on stdin and reads one JSON answer per command on stdout, so that all generators and the servers
 * can be read at the same instants.
 *   tsx bench/generator/main.ts --client wire|sdk --game pong --urls http://a,http://b --name G0 [--input-acks on|off] [--encoding json|compact]
 *
 *   {"cmd":"connect","players":N}   connect players until there are N            -> connected
 *   {"cmd":"play","players":N}       the first N players queue and play           -> playing (when all play)
 *   {"cmd":"sample"}                 counters and histograms, cumulative          -> sample
 *   {"cmd":"drain"}                  seat 0 forfeits each match; waits for ends   -> drained
 *   {"cmd":"storm"}                  every player joins at once; time to found    -> stormed
 *   {"cmd":"pace","rate":R,"seconds":S}  joins at R per second from idle players -> paced
 *   {"cmd":"close"}                  disconnects and exits
 */
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { encodeIntoCompressedBase64 } from "hdr-histogram-js";
import { microsecondHistogram } from "../../game-rooms/index.ts";
import { loadGames } from "../../game-rooms/games/load-games.ts";
import { INPUT_SEQ_FIELDS } from "../../game-rooms/games/wire.ts";
import type { GameInfo } from "../../protocol/index.ts";
import { SdkPlayer, type Play } from "./sdk-player.ts";
import { Tally, type Behaviour, type BenchPlayer, type PlayerHooks } from "./tally.ts";
import { WirePlayer } from "./wire-player.ts";

const { values } = parseArgs({
  options: {
    client: { type: "string", default: "wire" },
    game: { type: "string", default: "pong" },
    urls: { type: "string" },
    name: { type: "string", default: "G" },
    "input-every": { type: "string", default: "3" },
    "input-acks": { type: "string", default: "on" },
    encoding: { type: "string", default: "json" },
  },
});
const URLS = (values.urls ?? "").split(",").filter(Boolean);
const GAME = values.game!;
if (values.client !== "sdk" && GAME !== WirePlayer.decodes) {
  process.stderr.write(`generator: --client wire reads only ${WirePlayer.decodes}'s states; play ${GAME} with --client sdk\n`);
  process.exit(2);
}
// Pong's wire layout, for players that read compact states.
if (values.encoding === "compact" && GAME === WirePlayer.decodes) {
  const [pong] = await loadGames([GAME]);
  WirePlayer.useWire([...(pong!.module.wire ?? []), ...INPUT_SEQ_FIELDS]);
}
const tally = new Tally();
const behaviour: Behaviour = {
  requeue: false,
  inputs: false,
  ready: true,
  inputEvery: Number(values["input-every"]),
  inputAcks: values["input-acks"] !== "off",
  compact: values.encoding === "compact",
};
const players: BenchPlayer[] = [];
let played: Promise<Play> | undefined;
/** The game's bot, and whether the server runs the game in real time (`GET /v1/games`). */
function gamePlay(): Promise<Play> {
  played ??= (async () => {
    const [game] = await loadGames([GAME]);
    if (!game?.definition.bot) throw new Error(`game ${GAME} has no bot`);
    const infos = (await (await fetch(`${URLS[0]}/v1/games`)).json()) as GameInfo[];
    return { decide: game.definition.bot, realtime: infos.find((g) => g.name === game.definition.name)?.kind === "realtime" };
  })();
  return played;
}
const out = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Pairing timings of the `pace` and `storm` commands: join and found times per player and match. */
const joinedAt = new Map<BenchPlayer, number>();
const matches = new Map<string, { joined: number[]; found: number[] }>();
let pairing = microsecondHistogram();
/** Per player: from its join to its `match:found`. */
let timeToFound = microsecondHistogram();
let pairedMatches = 0;
let onFound: ((player: BenchPlayer) => void) | undefined;
let onStarted: ((player: BenchPlayer) => void) | undefined;
const idle = new Set<BenchPlayer>();
const startedSince = new Set<BenchPlayer>();

const hooks: PlayerHooks = {
  found(player, matchId) {
    const now = performance.now();
    const joined = joinedAt.get(player);
    if (joined === undefined) return;
    joinedAt.delete(player);
    timeToFound.recordValue(Math.max(1, Math.round((now - joined) * 1000)));
    const match = matches.get(matchId) ?? { joined: [], found: [] };
    matches.set(matchId, match);
    match.joined.push(joined);
    match.found.push(now);
    onFound?.(player);
    if (match.found.length === 2) {
      matches.delete(matchId);
      pairedMatches++;
      pairing.recordValue(Math.max(1, Math.round((Math.max(...match.found) - Math.max(...match.joined)) * 1000)));
    }
  },
  started: (player) => {
    startedSince.add(player);
    onStarted?.(player);
  },
  ended: (player) => void idle.add(player),
  dropped: (player) => void idle.add(player),
};

async function connectPlayers(count: number): Promise<void> {
  while (players.length < count) {
    const batch = Math.min(200, count - players.length);
    const base = players.length;
    const added = await Promise.all(
      Array.from({ length: batch }, async (_, j) => {
        const url = URLS[(base + j) % URLS.length]!;
        const response = await fetch(`${url}/v1/guest`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ name: `${values.name}-${base + j}` }),
        });
        const { token } = (await response.json()) as { token: string };
        if (values.client === "sdk") return SdkPlayer.connect(url, GAME, token, tally, behaviour, hooks, await gamePlay());
        return WirePlayer.connect(url, GAME, token, tally, behaviour, hooks);
      }),
    );
    players.push(...added);
    for (const player of added) idle.add(player);
  }
}

const inMatch = () => players.reduce((n, p) => n + (p.matchId ? 1 : 0), 0);

async function waitFor(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

function join(player: BenchPlayer): void {
  idle.delete(player);
  joinedAt.set(player, performance.now());
  player.join();
}

/**
 * The first `count` players queue and play (requeueing after each match); the others stay idle.
 * They queue casual: every drain ends each match by a forfeit, so over a capacity search ranked
 * players' ratings drift apart until two of the last ones waiting are further apart than any win
 * chance window reaches (`WIN_CHANCE_WINDOW_MAX`), and never pair. A stream bench measures states,
 * not pairing quality: casual pairs by age alone and changes no rating.
 */
async function play(count: number): Promise<object> {
  Object.assign(behaviour, { requeue: true, inputs: true, ready: true, mode: "casual" });
  onFound = undefined;
  const playing = players.slice(0, count);
  startedSince.clear();
  for (const player of playing)
    if (!player.matchId) join(player);
    else startedSince.add(player);
  // Every player has started a match (with short matches, some may be between two by now).
  await waitFor(() => startedSince.size >= playing.length, 60_000);
  return { type: "playing", inMatch: startedSince.size };
}

async function drain(): Promise<object> {
  Object.assign(behaviour, { requeue: false, inputs: false });
  for (const player of players) if (!player.matchId) player.leaveQueue();
  // Seat 0 forfeits every match, again for matches that a ready check started meanwhile.
  const left = new Set<string>();
  const ended = await waitFor(() => {
    for (const player of players) {
      if (!player.matchId || player.seat !== 0 || left.has(player.matchId)) continue;
      left.add(player.matchId);
      player.leaveMatch();
    }
    return inMatch() === 0;
  }, 15_000);
  // The last states' acks are on their way: give them time to land before anyone reads the server.
  await sleep(300);
  return { type: "drained", stillInMatch: ended ? 0 : inMatch(), ...tally.snapshot() };
}

async function storm(): Promise<object> {
  Object.assign(behaviour, { requeue: false, inputs: false, ready: true, mode: undefined });
  timeToFound = microsecondHistogram();
  const start = performance.now();
  const before = tally.found;
  for (const player of players) join(player);
  await waitFor(() => tally.found - before === players.length, 60_000);
  const seconds = (performance.now() - start) / 1000;
  return { type: "stormed", found: tally.found - before, seconds, timeToFoundUs: encodeIntoCompressedBase64(timeToFound) };
}

/**
 * Joins `rate` players per second from the idle ones for `seconds`. The cycle: `walk-out`, both
 * players of a pairing leave its ready check; `play`, both ready, and seat 0 forfeits the match as
 * it starts (two joins, the pairing, two ready checks, the start and the end).
 */
async function pace(rate: number, seconds: number, cycle: string): Promise<object> {
  const play = cycle === "play";
  Object.assign(behaviour, { requeue: false, inputs: false, ready: play, mode: undefined });
  pairing = microsecondHistogram();
  pairedMatches = 0;
  // Walking out, both leave at once: the pairing is what is measured, and both are free again.
  onFound = play ? undefined : (player) => player.leaveQueue();
  onStarted = play ? (player) => player.seat === 0 && player.leaveMatch() : undefined;
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  let joined = 0;
  let starved = 0;
  while (performance.now() - start < seconds * 1000) {
    const due = Math.floor(((performance.now() - start) / 1000) * rate);
    while (joined < due) {
      const player = idle.values().next().value;
      if (!player) {
        starved++;
        break;
      }
      join(player);
      joined++;
    }
    await sleep(5);
  }
  // An odd join out would wait for a partner that never comes.
  const partner = idle.values().next().value;
  if (joined % 2 === 1 && partner) {
    join(partner);
    joined++;
  }
  const elapsed = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  // Matches still being paired are counted when their players are told.
  await waitFor(() => joinedAt.size === 0, 2000);
  // Playing, a cycle ends with its match: the matches of the last pairings are let finish.
  if (play) await waitFor(() => inMatch() === 0, 10_000);
  onFound = undefined;
  onStarted = undefined;
  return {
    type: "paced",
    offered: rate,
    joined,
    joinsPerSecond: joined / elapsed,
    pairs: pairedMatches,
    unpaired: joinedAt.size,
    starved,
    pairingUs: encodeIntoCompressedBase64(pairing),
    cpuPercent: (cpu.user + cpu.system) / 1e4 / elapsed,
  };
}

async function handle(command: { cmd: string; players?: number; rate?: number; seconds?: number; cycle?: string }): Promise<object> {
  switch (command.cmd) {
    case "connect":
      await connectPlayers(command.players ?? 0);
      return { type: "connected", players: players.length };
    case "play":
      return play(command.players ?? players.length);
    case "sample":
      return { type: "sample", inMatch: inMatch(), ...tally.snapshot() };
    case "drain":
      return drain();
    case "storm":
      return storm();
    case "pace":
      return pace(command.rate ?? 100, command.seconds ?? 3, command.cycle ?? "walk-out");
    case "close":
      for (const player of players) player.close();
      return process.exit(0);
    default:
      return { type: "error", message: `unknown command ${command.cmd}` };
  }
}

// Commands run one at a time, in order, except `sample`, which answers at once.
let chain = Promise.resolve();
for await (const line of createInterface({ input: process.stdin })) {
  const command = JSON.parse(line) as { cmd: string };
  if (command.cmd === "sample") out(await handle(command));
  else
    chain = chain.then(() =>
      handle(command).then(
        (answer) => void out(answer),
        (error: unknown) => void out({ type: "error", message: String(error) }),
      ),
    );
}
process.exit(0);
