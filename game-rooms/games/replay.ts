import type { Replay, ReplayInput } from "../../protocol/index.ts";
import type { AnyGame, Outcome } from "./game-module.ts";

/** One replayed tick: the tick and the view every player saw after it. */
export interface ReplayedTick {
  tick: number;
  view: unknown;
}

/**
 * Replays a finished match with the game's own rules: from its seed, each tick applies that tick's
 * inputs in the order the host applied them, then steps. Calls `onTick` with each tick's view (the
 * shared view; a per-seat game's seat 0 view unless `seat` says otherwise) and returns the outcome
 * at the replay's last tick.
 */
export function replayMatch(
  game: AnyGame,
  replay: Pick<Replay, "seed" | "tickRate" | "inputs"> & { end: { tick: number } },
  onTick?: (tick: ReplayedTick) => void,
  seat?: 0 | 1,
): Outcome {
  const state = game.init(replay.seed);
  const clock = { epochOfTick: (tick: number) => (tick * 1000) / replay.tickRate };
  const byTick = new Map<number, ReplayInput[]>();
  for (const input of replay.inputs) {
    const list = byTick.get(input.tick);
    if (list) list.push(input);
    else byTick.set(input.tick, [input]);
  }
  for (let tick = 1; tick <= replay.end.tick; tick++) {
    for (const { seat: by, input } of byTick.get(tick) ?? []) game.apply(state, by, input, tick);
    game.step(state, tick);
    onTick?.({ tick, view: game.view(state, clock, game.viewPerSeat ? (seat ?? 0) : undefined) });
  }
  return game.outcome(state);
}
