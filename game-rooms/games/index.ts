/**
 * Games: the module interface, `defineGame`, and the built-in games, each one folder. Pure rules:
 * this face imports only `protocol/` (and zod), so clients and browsers may run a game's rules as
 * they are. It is the package's `arena/game` entry. (Loading games by path, `load-games.ts`, is
 * Node-only: the server's face exports it.)
 */
export * from "./game-module.ts";
export * from "./define-game.ts";
export * from "./wire.ts";
export { defineRenderer, type GameRenderer, type MountedView, type RendererContext } from "./renderer.ts";
export { nextRandom } from "./rng.ts";
export { replayMatch, type ReplayedTick } from "./replay.ts";
export { BUILTIN_GAMES } from "./builtin.ts";
export { GameLoadError, instantiate, moduleProblems } from "./instantiate.ts";
export { checkGame, type ConformanceOptions, type ConformanceResult } from "./conformance.ts";
// What a game's rules throw (NOT_YOUR_TURN, ILLEGAL_MOVE), and its seats.
export { ArenaError, ErrorCode, type Seat } from "../../protocol/index.ts";
