import { decodeFromCompressedBase64 } from "hdr-histogram-js";
import { Fleet } from "../fleet.ts";
import { percentiles, sumEncoded } from "../histograms.ts";
import { GENERATOR_LIMIT } from "../measure.ts";
import { round } from "../stats.ts";

export interface PairingSetup {
  engine: string;
  store: "memory" | "redis" | "cluster";
  nodes: number;
  client: "wire" | "sdk";
}

/** The limit of pairing at a steady arrival rate: p99 overhead past this ends the ramp. */
export const PAIRING_SLO_US = 50_000;

export interface PairingStep {
  offeredJoinsPerSecond: number;
  joinsPerSecond: number;
  pairingsPerSecond: number;
  overheadUs: { p50: number | null; p99: number | null };
  unpaired: number;
  generatorCpuPercent: number;
  /**
   * Every command the nodes sent Redis during the step, per pairing made: the joins, the pairing,
   * both ready checks, the match's start and end, heartbeats and matcher leases included.
   */
  redisCommandsPerPairing: number | null;
  verdict: string;
}

export interface PairingResult extends PairingSetup {
  /** The highest arrival rate held: p99 overhead within 50 ms and every join paired. */
  joinsPerSecondHeld: number;
  pairingsPerSecondHeld: number;
  limitedBy: string;
  steps: PairingStep[];
}

const RATES = [500, 1000, 1500, 2000, 3000, 4000, 5000, 6000, 8000, 10_000, 12_000];
const STEP_SECONDS = 3;
/** Idle players to draw joins from: a player is busy for its join, ready check and a forfeited match. */
const POOL = 5000;

function fleetFor(setup: PairingSetup): Promise<Fleet> {
  return Fleet.start({
    server: "arena",
    engine: setup.engine,
    nodes: setup.nodes,
    store: setup.store,
    client: setup.client,
    game: "tictactoe",
    generators: 1,
    env: { READY_TIMEOUT_MS: "3000" },
  });
}

/**
 * Pairing capacity: joins arrive at a steady rate (one generator, so that both partners' times are
 * on one clock); each pair readies, the match starts and seat 0 forfeits, which frees both for the
 * next join. The rate steps up until p99 overhead (when both were told, minus when the later of
 * the two joined) passes 50 ms, a join goes unpaired, or the generator passes 70% of its core.
 */
export async function pairingRamp(setup: PairingSetup, onStep: (rate: number) => void): Promise<PairingResult> {
  const fleet = await fleetFor(setup);
  const steps: PairingStep[] = [];
  let limitedBy = "rates exhausted";
  try {
    await fleet.connect(POOL);
    for (const rate of RATES) {
      onStep(rate);
      const commandsBefore = await fleet.redisCommands();
      const [paced] = await fleet.all<{ joinsPerSecond: number; pairs: number; unpaired: number; starved: number; pairingUs: string; cpuPercent: number }>(
        { cmd: "pace", rate, seconds: STEP_SECONDS },
        "paced",
      );
      const commands = (await fleet.redisCommands()) - commandsBefore;
      const overhead = decodeFromCompressedBase64(paced!.pairingUs, 32);
      const p = percentiles(overhead, { p50: 50, p99: 99 });
      const step: PairingStep = {
        offeredJoinsPerSecond: rate,
        joinsPerSecond: Math.round(paced!.joinsPerSecond),
        pairingsPerSecond: Math.round(paced!.pairs / STEP_SECONDS),
        overheadUs: p,
        unpaired: paced!.unpaired,
        generatorCpuPercent: round(paced!.cpuPercent, 1),
        redisCommandsPerPairing: setup.store === "memory" ? null : round(commands / Math.max(1, paced!.pairs), 1),
        verdict: "held",
      };
      if (paced!.starved > 0 || step.joinsPerSecond < rate * 0.95 || paced!.cpuPercent > GENERATOR_LIMIT * 100) step.verdict = "generator";
      else if (paced!.unpaired > 0) step.verdict = "unpaired";
      else if ((p.p99 ?? Infinity) > PAIRING_SLO_US) step.verdict = "overheadP99";
      steps.push(step);
      if (step.verdict !== "held") {
        limitedBy = step.verdict;
        break;
      }
    }
  } finally {
    await fleet.stop();
  }
  const held = steps.filter((s) => s.verdict === "held").at(-1);
  return { ...setup, joinsPerSecondHeld: held?.joinsPerSecond ?? 0, pairingsPerSecondHeld: held?.pairingsPerSecond ?? 0, limitedBy, steps };
}

/** Queue storm: every player joins at once, all generators on the same command. */
export async function queueStorm(setup: PairingSetup, players: number): Promise<Record<string, unknown>> {
  const fleet = await Fleet.start({
    server: "arena",
    engine: setup.engine,
    nodes: setup.nodes,
    store: setup.store,
    client: setup.client,
    game: "tictactoe",
    generators: setup.client === "sdk" ? Math.ceil(players / 1500) : 1,
  });
  try {
    await fleet.connect(players);
    const answers = await fleet.all<{ found: number; seconds: number; timeToFoundUs: string }>({ cmd: "storm" }, "stormed");
    const waits = sumEncoded(answers.map((a) => a.timeToFoundUs));
    const found = answers.reduce((a, b) => a + b.found, 0);
    const seconds = Math.max(...answers.map((a) => a.seconds));
    return {
      ...setup,
      players,
      found,
      unpaired: players - found,
      pairingsPerSecond: round(found / 2 / seconds, 0),
      timeToFoundUs: percentiles(waits, { p50: 50, p95: 95, p99: 99 }),
    };
  } finally {
    await fleet.stop();
  }
}
