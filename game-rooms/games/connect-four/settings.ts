import { z } from "zod";
import { setting } from "../define-game.ts";

/** Connect four's settings: `CONNECT_FOUR_TICK_RATE` (the move clock's resolution), `CONNECT_FOUR_MOVE_SECONDS`. */
export const connectFourSettings = z.object({
  tickRate: setting.integer(10, 10, 120),
  /** The move clock: a player who does not move in time forfeits. */
  moveSeconds: setting.decimal(30, 0.2, 3600),
});
export type ConnectFourSettings = z.infer<typeof connectFourSettings>;
