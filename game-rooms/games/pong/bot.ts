import type { Seat } from "../../../protocol/index.ts";
import type { PongInput, PongView } from "./schema.ts";

/** What pong's bot reads of a view (a load generator may decode no more than this). */
export type PongSight = { ball: Pick<PongView["ball"], "y">; paddles: readonly number[] };

/** Follow the ball with the paddle (-1 up, 0 stay, 1 down). */
export function pongDirection(state: PongSight, seat: Seat): PongInput["dir"] {
  const diff = state.ball.y - (state.paddles[seat] ?? 0.5);
  if (Math.abs(diff) < 0.03) return 0;
  return diff > 0 ? 1 : -1;
}

/** Pong's default bot. */
export const pongBot = (view: PongView, seat: Seat): PongInput => ({ dir: pongDirection(view, seat) });
