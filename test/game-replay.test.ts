import { describe, expect, it } from "vitest";
import type { AnyGame } from "../game-rooms/index.ts";
import { rulesOf } from "./support/games.ts";

const clock = { epochOfTick: (tick: number) => 1_000_000 + tick * 10 };

/** Runs a game for `ticks` ticks from `seed`, applying scripted inputs (by tick), and returns every view. */
function run(game: AnyGame, seed: number, ticks: number, inputs: Map<number, [0 | 1, unknown][]>): unknown[] {
  const state = game.init(seed);
  const views: unknown[] = [];
  for (let tick = 1; tick <= ticks; tick++) {
    for (const [seat, input] of inputs.get(tick) ?? []) {
      try {
        game.apply(state, seat, input, tick);
      } catch {
        // rejected moves change nothing, in the replay as in the match
      }
    }
    game.step(state, tick);
    views.push(game.view(state, clock));
    if (game.outcome(state).kind !== "none") break;
  }
  return views;
}

describe("replay", () => {
  it("pong: the same seed and inputs give the same states; another seed differs", () => {
    const pong = rulesOf("pong", { tickRate: 30, ballSpeed: 1, points: 5 });
    const inputs = new Map<number, [0 | 1, unknown][]>();
    for (let tick = 1; tick < 3000; tick += 7) inputs.set(tick, [[(tick % 2) as 0 | 1, { dir: ((tick % 3) - 1) as -1 | 0 | 1 }]]);
    const first = run(pong, 42, 3000, inputs);
    const second = run(pong, 42, 3000, inputs);
    expect(second).toEqual(first);
    expect(first.length).toBeGreaterThan(100);
    expect(run(pong, 43, 3000, inputs)).not.toEqual(first);
  });

  it("tictactoe: the same moves give the same board, rejected moves included", () => {
    const game = rulesOf("tictactoe", { tickRate: 10, moveSeconds: 15 });
    const inputs = new Map<number, [0 | 1, unknown][]>([
      [
        1,
        [
          [1, { cell: 0 }],
          [0, { cell: 4 }],
        ],
      ],
      [
        2,
        [
          [1, { cell: 4 }],
          [1, { cell: 0 }],
        ],
      ],
      [3, [[0, { cell: 8 }]]],
    ]);
    const first = run(game, 1, 10, inputs);
    expect(run(game, 1, 10, inputs)).toEqual(first);
    expect((first.at(-1) as { board: unknown[] }).board).toEqual([1, null, null, null, 0, null, null, null, 0]);
  });
});
