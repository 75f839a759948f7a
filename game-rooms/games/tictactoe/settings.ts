import { z } from "zod";
import { setting } from "../define-game.ts";

/** Tictactoe's settings: `TICTACTOE_TICK_RATE` (the move clock's resolution), `TICTACTOE_MOVE_SECONDS`. */
export const tictactoeSettings = z.object({
  tickRate: setting.integer(10, 10, 120),
  /** The move clock: a player who does not move in time forfeits. */
  moveSeconds: setting.decimal(15, 0.2, 3600),
});
export type TictactoeSettings = z.infer<typeof tictactoeSettings>;
