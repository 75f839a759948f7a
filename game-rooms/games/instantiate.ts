import { GAME_NAME, readSettings, type GameDefinition } from "./define-game.ts";
import type { AnyGame } from "./game-module.ts";
import { wireProblems } from "./wire.ts";

/** A `GAMES` entry that cannot be loaded, or a game that breaks the module rules: stops the node with one line. */
export class GameLoadError extends Error {
  override readonly name = "GameLoadError";
}

/** The problems of a game module (none: it may be served). */
export function moduleProblems(game: AnyGame): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(game.tickRate) || game.tickRate < 10 || game.tickRate > 120) problems.push("tickRate must be an integer from 10 to 120");
  if (!Array.isArray(game.modes) || game.modes.length === 0 || game.modes.some((m) => !GAME_NAME.test(m)))
    problems.push("modes must be 1 or more names (lowercase, digits, dashes)");
  if (!(game.maxDurationS > 0)) problems.push("maxDurationS must be positive");
  if (game.kind !== "realtime" && game.kind !== "turns") problems.push('kind must be "realtime" or "turns"');
  for (const hook of ["init", "apply", "step", "outcome", "view"] as const) if (typeof game[hook] !== "function") problems.push(`${hook} must be a function`);
  if (!game.inputSchema || typeof game.inputSchema.safeParse !== "function") problems.push("inputSchema must be a zod schema");
  return [...problems, ...wireProblems(game.wire ?? [])];
}

/**
 * Builds a game's rules from its settings: read from `env`, or `values` as given (a replay's
 * `rules`). The module's `rules` are those settings, so a replay carries them.
 */
export function instantiate(definition: GameDefinition, env: Record<string, string | undefined> = {}, values?: Record<string, unknown>): AnyGame {
  const settings = readSettings(definition, env, values);
  const rules = definition.create(settings);
  const game: AnyGame = { ...rules, name: definition.name, ...(settings === undefined ? {} : { rules: settings as Record<string, unknown> }) };
  const problems = moduleProblems(game);
  if (problems.length) throw new GameLoadError(`game ${definition.name}: ${problems.join("; ")}`);
  return game;
}
