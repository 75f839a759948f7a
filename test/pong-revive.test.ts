import { describe, expect, it } from "vitest";
import type { RoomClock } from "../game-rooms/index.ts";
import { rulesOf } from "./support/games.ts";

const clock: RoomClock = { epochOfTick: () => 0 };

/** Plays `ticks` ticks from `state`, each seat turning every 7 ticks; returns the views. */
function play(game: ReturnType<typeof rulesOf>, state: unknown, from: number, ticks: number): unknown[] {
  const views: unknown[] = [];
  for (let tick = from + 1; tick <= from + ticks; tick++) {
    if (tick % 7 === 0) game.apply(state, tick % 2 === 0 ? 0 : 1, { dir: tick % 3 === 0 ? -1 : 1 }, tick);
    game.step(state, tick);
    views.push(JSON.parse(JSON.stringify(game.view(state, clock))));
  }
  return views;
}

describe("pong's snapshots", () => {
  it("a snapshot written before the state was flat ({ ball, velocity }) resumes to the same views as the current one", () => {
    const game = rulesOf("pong");
    const state = game.init(12345) as Record<string, unknown>;
    play(game, state, 0, 200);
    const current = JSON.parse(JSON.stringify(state)) as Record<string, unknown>;
    // The shape an earlier version wrote: the same numbers, the ball and its velocity as objects.
    const { ballX, ballY, vx, vy, ...rest } = current;
    const earlier = { ball: { x: ballX, y: ballY }, velocity: { x: vx, y: vy }, ...rest };
    expect(typeof ballX).toBe("number");

    const fromCurrent = play(game, game.revive!(current), 200, 300);
    const fromEarlier = play(game, game.revive!(earlier), 200, 300);
    expect(fromEarlier).toEqual(fromCurrent);
    // Both go on exactly as the match would have without the snapshot, and the ball keeps moving.
    expect(fromCurrent).toEqual(play(game, state, 200, 300));
    expect(new Set(fromEarlier.map((view) => JSON.stringify((view as { ball: unknown }).ball))).size).toBeGreaterThan(100);
  });
});
