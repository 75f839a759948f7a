import { BUILTIN_GAMES, instantiate, type AnyGame, type GameDefinition } from "../../game-rooms/index.ts";

/** A built-in game's definition, by name. */
export function definitionOf(name: string): GameDefinition {
  const definition = BUILTIN_GAMES.find((g) => g.name === name);
  if (!definition) throw new Error(`no built-in game ${name}`);
  return definition;
}

/** A built-in game's rules with these settings (the others at their defaults). */
export function rulesOf(name: string, settings: Record<string, unknown> = {}): AnyGame {
  return instantiate(definitionOf(name), {}, settings);
}
