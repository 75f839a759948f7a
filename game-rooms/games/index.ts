/**
 * Games: the module interface, `defineGame`, and the built-in games, each one folder. Pure rules:
 * this folder imports only `protocol/` (and zod), so clients may run a game's rules as they are.
 */
export * from "./game-module.ts";
export * from "./define-game.ts";
export * from "./wire.ts";
export { defineRenderer, type GameRenderer, type MountedView, type RendererContext } from "./renderer.ts";
export { nextRandom } from "./rng.ts";
export { replayMatch, type ReplayedTick } from "./replay.ts";
export { BUILTIN_GAMES } from "./builtin.ts";
export { GameLoadError, instantiate, moduleProblems } from "./instantiate.ts";
export { builtinGames, loadGames, type LoadedGame } from "./load-games.ts";
