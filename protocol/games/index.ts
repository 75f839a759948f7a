import type { z } from "zod";
import { pongInputSchema, pongViewSchema } from "./pong.ts";
import { tictactoeInputSchema, tictactoeViewSchema } from "./tictactoe.ts";

export * from "./pong.ts";
export * from "./tictactoe.ts";

/** Each built-in game's input and state (view) schemas: the game modules and every client use these. */
export const gameSchemas = {
  pong: { input: pongInputSchema, view: pongViewSchema },
  tictactoe: { input: tictactoeInputSchema, view: tictactoeViewSchema },
} as const;

export type GameName = keyof typeof gameSchemas;
/** The input of game `G` (unknown for a game this protocol does not describe). */
export type GameInput<G extends string> = G extends GameName ? z.infer<(typeof gameSchemas)[G]["input"]> : unknown;
/** The state of game `G` as sent on the wire (unknown for a game this protocol does not describe). */
export type GameView<G extends string> = G extends GameName ? z.infer<(typeof gameSchemas)[G]["view"]> : unknown;
