import { Fleet, type FleetOptions, type ServerKind, type Target } from "../fleet.ts";
import { measureLevel, type StreamRun, type StreamSeries } from "../measure.ts";
import { round } from "../stats.ts";

/** The service level a capacity search holds players to. */
export const SLO = { rttP99Us: 20_000, tickLatenessP99Us: 5_000, deliveredShare: 0.98 };

export interface StreamOptions {
  players: number;
  seconds: number;
  tickRate: number;
  client: "wire" | "sdk";
  /** The game the players play (`--game`); the wire client reads only its own game's states. */
  game: string;
  ackEvery: number;
  inputAcks: boolean;
  /** The state encoding Arena's players ask for (baselines send objects). */
  encoding: "json" | "compact";
  nodes: number;
  store: "memory" | "redis" | "cluster";
  env: Record<string, string>;
  /** A deployment the bench did not start (`--target`). */
  target?: Target;
  onProgress: (label: string, done: number, total: number) => void;
}

export interface MeasuredRun {
  run: StreamRun;
  series: StreamSeries;
  curves: Record<string, number[]>;
}

export interface CapacityResult {
  engine: string;
  playersPerCore: number;
  /** What ended the search: the first SLO term broken, or "generator" when the load generator passed 70% first. */
  limitedBy: string;
  extrapolated: boolean;
  playersHeld: number;
  /** Server CPU per state at the highest load held, the basis of an extrapolation. */
  serverCpuUsPerState: number | null;
  steps: {
    players: number;
    verdict: string;
    rttP99Us: number | null;
    tickLatenessP99Us: number | null;
    serverCpuPercent: number;
    generatorCpuPercent: number;
  }[];
}

function fleetOptions(server: ServerKind, engine: string, options: StreamOptions, players: number): FleetOptions {
  return {
    server,
    engine,
    nodes: options.nodes,
    store: options.store,
    client: options.client,
    game: options.game,
    // socket.io-client costs several times what the wire client does: one process per 1,500 players.
    generators: options.client === "sdk" ? Math.max(1, Math.ceil(players / 1500)) : 1,
    env: options.env,
    tickRate: options.tickRate,
    ackEvery: options.ackEvery,
    inputAcks: options.inputAcks,
    encoding: options.encoding,
    ...(options.target ? { target: options.target } : {}),
  };
}

/** A run's name in reports: the engine (with its encoding when compact), or the baseline's kind. */
export function runLabel(server: ServerKind, engine: string, encoding: "json" | "compact", target?: Target): string {
  if (target) return `target ${new URL(target.url).host}`;
  if (server !== "arena") return server;
  return encoding === "compact" ? `${engine}+compact` : engine;
}

/** One server kind (an Arena engine or a baseline) at one load, measured once. */
export async function steady(server: ServerKind, engine: string, options: StreamOptions): Promise<MeasuredRun> {
  const fleet = await Fleet.start(fleetOptions(server, engine, options, options.players));
  try {
    const empty = await fleet.read();
    const label = runLabel(server, engine, options.encoding, options.target);
    return await measureLevel(fleet, {
      players: options.players,
      seconds: options.seconds,
      tickRate: options.tickRate,
      emptyRssBytes: empty.servers.reduce((a, s) => a + s.rssBytes, 0),
      engine: label,
      client: options.client,
      ackEvery: options.ackEvery,
      inputAcks: options.inputAcks,
      encoding: server === "arena" ? options.encoding : "json",
      onSecond: (t) => options.onProgress(label, t, options.seconds),
    });
  } finally {
    await fleet.stop();
  }
}

/** Two players a match: a load is always an even number of players. */
const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);

/** Which SLO term a run broke, if any. */
export function verdict(run: StreamRun): string {
  if (run.errors > 0 || run.disconnects > 0 || run.unstartedPlayers > 0) return "errors";
  if (run.acksLost > 0) return "acksLost";
  if (run.statesPerSecond < SLO.deliveredShare * run.statesDuePerSecond) return "statesPerSecond";
  if ((run.rttUs.p99 ?? Infinity) > SLO.rttP99Us) return "rttP99";
  if ((run.tickLatenessUs.p99 ?? Infinity) > SLO.tickLatenessP99Us) return "tickLatenessP99";
  return "held";
}

/**
 * Ramps players on one engine (x1.35 a step from 200) until the SLO breaks in two windows in a
 * row at the same load, then bisects twice between the last load held and the first broken. A generator past 70% of its core ends the
 * search while the server still holds: players per core is then extrapolated from the server's CPU
 * per state at that load (one core's microseconds over the states a player costs per second).
 */
export async function capacity(
  server: ServerKind,
  engine: string,
  options: StreamOptions,
  windowSeconds: number,
): Promise<{ result: CapacityResult; runs: MeasuredRun[] }> {
  const fleet = await Fleet.start(fleetOptions(server, engine, options, 4000));
  const label = runLabel(server, engine, options.encoding);
  const runs: MeasuredRun[] = [];
  const steps: CapacityResult["steps"] = [];
  let held: MeasuredRun | undefined;
  let broken: { players: number; why: string } | undefined;
  let connected = 0;
  try {
    const emptyRssBytes = (await fleet.read()).servers.reduce((a, s) => a + s.rssBytes, 0);
    const once = async (players: number) => {
      const measured = await measureLevel(fleet, {
        players,
        connected,
        seconds: windowSeconds,
        tickRate: options.tickRate,
        emptyRssBytes,
        engine: label,
        client: options.client,
        ackEvery: options.ackEvery,
        inputAcks: options.inputAcks,
        encoding: server === "arena" ? options.encoding : "json",
        onSecond: (t) => options.onProgress(`${label} ${players} players`, t, windowSeconds),
      });
      connected = Math.max(connected, players);
      runs.push(measured);
      const why = verdict(measured.run);
      const { run } = measured;
      steps.push({
        players,
        verdict: why === "held" && run.limitedBy ? "held; generator saturated" : why,
        rttP99Us: run.rttUs.p99,
        tickLatenessP99Us: run.tickLatenessUs.p99,
        serverCpuPercent: run.serverCpuPercent,
        generatorCpuPercent: Math.max(...run.generatorCpuPercent),
      });
      return { measured, why };
    };
    // A break is confirmed by a second window at the same load: one stall of a shared machine
    // (a collector pause, a neighbour) must not end the search below what the server holds.
    const level = async (players: number) => {
      const first = await once(players);
      return first.why === "held" || first.measured.run.limitedBy === "generator" ? first : once(players);
    };
    let players = 200;
    for (;;) {
      const { measured, why } = await level(players);
      if (why === "held") held = measured;
      // A saturated generator ends the search either way: past it, a broken SLO may be the generator's.
      if (measured.run.limitedBy === "generator") break;
      if (why !== "held") {
        broken = { players, why };
        break;
      }
      players = even(players * 1.35);
    }
    for (let i = 0; broken && i < 2; i++) {
      const low = held?.run.players ?? 0;
      const mid = even((low + broken.players) / 2);
      if (mid - low < 20) break;
      const { measured, why } = await level(mid);
      if (measured.run.limitedBy === "generator") break;
      if (why === "held") held = measured;
      else broken = { players: mid, why };
    }
  } finally {
    await fleet.stop();
  }
  const generatorFirst = !broken;
  const cpuPerState = held?.run.serverCpuUsPerState ?? null;
  return {
    runs,
    result: {
      engine: label,
      playersPerCore: generatorFirst && cpuPerState ? Math.floor(1e6 / (cpuPerState * options.tickRate)) : (held?.run.players ?? 0),
      limitedBy: generatorFirst ? "generator" : broken!.why,
      extrapolated: generatorFirst,
      playersHeld: held?.run.players ?? 0,
      serverCpuUsPerState: cpuPerState === null ? null : round(cpuPerState, 2),
      steps,
    },
  };
}
