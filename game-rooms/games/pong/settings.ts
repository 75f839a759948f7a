import { z } from "zod";
import { setting } from "../define-game.ts";

/** Pong's settings: `PONG_TICK_RATE`, `PONG_POINTS`, `PONG_BALL_SPEED`, `PONG_MAX_DURATION_S`. */
export const pongSettings = z.object({
  tickRate: setting.integer(30, 10, 120),
  /** Points to win. */
  points: setting.integer(5, 1, 1_000_000),
  /** Field widths per second at the serve. */
  ballSpeed: setting.decimal(0.6, 0.05, 5),
  /** A match still running after this many seconds of play ends `time`: the higher score wins. */
  maxDurationS: setting.integer(600, 1, 86_400),
});
export type PongSettings = z.infer<typeof pongSettings>;
