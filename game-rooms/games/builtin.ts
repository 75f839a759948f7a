import type { GameDefinition } from "./define-game.ts";
import connectFour from "./connect-four/index.ts";
import pong from "./pong/index.ts";
import tictactoe from "./tictactoe/index.ts";

/**
 * The games that ship with Arena, each one folder beside this file. `GAMES` names them (all of them
 * by default); adding one is its folder and one line here.
 */
export const BUILTIN_GAMES: readonly GameDefinition[] = [pong, tictactoe, connectFour];
