import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { BUILTIN_GAMES } from "./builtin.ts";
import { isGameDefinition, type GameDefinition } from "./define-game.ts";
import type { AnyGame } from "./game-module.ts";
import { GameLoadError, instantiate } from "./instantiate.ts";

export { GameLoadError } from "./instantiate.ts";

/** A game as a node runs it: its definition, its rules built from its settings, and where it came from. */
export interface LoadedGame {
  definition: GameDefinition;
  module: AnyGame;
  /** `builtin`, or the file it was loaded from. */
  source: string;
  /** The file that defines the game, when known (the page bundles it to run the rules in replays). */
  definitionFile?: string;
  /** The renderer's file, when the game has one and it exists (a compiled build looks for `.js`). */
  rendererFile?: string;
}

/** The file a module URL names, or its compiled `.js` twin; undefined when neither exists. */
function existing(url: string | undefined): string | undefined {
  if (!url?.startsWith("file:")) return undefined;
  const file = fileURLToPath(url);
  if (existsSync(file)) return file;
  // Compiled: the definition points at its source's `.ts`; tsc wrote `.js` beside the definition.
  const compiled = file.replace(/\.ts$/, ".js");
  return existsSync(compiled) ? compiled : undefined;
}

function loaded(definition: GameDefinition, env: Record<string, string | undefined>, source: string): LoadedGame {
  const definitionFile = isAbsolute(source) ? source : existing(definition.source);
  const rendererFile = existing(definition.renderer);
  return { definition, module: instantiate(definition, env), source, ...(definitionFile ? { definitionFile } : {}), ...(rendererFile ? { rendererFile } : {}) };
}

const isPath = (entry: string) => entry.startsWith(".") || isAbsolute(entry);

function checkUnique(games: LoadedGame[]): LoadedGame[] {
  const seen = new Set<string>();
  for (const game of games) {
    if (seen.has(game.definition.name)) throw new GameLoadError(`GAMES: game ${game.definition.name} is loaded twice`);
    seen.add(game.definition.name);
  }
  return games;
}

function builtin(name: string): GameDefinition {
  const definition = BUILTIN_GAMES.find((g) => g.name === name);
  if (!definition) {
    throw new GameLoadError(`GAMES: no built-in game "${name}" (built in: ${BUILTIN_GAMES.map((g) => g.name).join(", ")}; a module path starts with ./ or /)`);
  }
  return definition;
}

/** The built-in games named in `entries`, synchronously (a path needs `loadGames`). */
export function builtinGames(entries: readonly string[], env: Record<string, string | undefined> = {}): LoadedGame[] {
  return checkUnique(
    entries.map((entry) => {
      if (isPath(entry)) throw new GameLoadError(`GAMES: ${entry} is a module path; load it with loadGames (createArena does)`);
      return loaded(builtin(entry), env, "builtin");
    }),
  );
}

/** The module a path names: its default export, or its one exported game. */
async function importDefinition(file: string): Promise<GameDefinition> {
  let exports: Record<string, unknown>;
  try {
    exports = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new GameLoadError(`GAMES: cannot load ${file}: ${(error as Error).message}`);
  }
  if (isGameDefinition(exports.default)) return exports.default;
  const found = Object.values(exports).filter(isGameDefinition);
  if (found.length === 1) return found[0]!;
  throw new GameLoadError(`GAMES: ${file} exports no game (export default defineGame({...}))`);
}

/**
 * The games `GAMES` names: built-in names, and module paths resolved from `cwd` (`.ts` through tsx
 * in development, `.js` for a compiled build); or definitions given in code. Each game's settings
 * are read from `env`.
 */
export async function loadGames(
  entries: readonly (string | GameDefinition)[],
  options: { cwd?: string; env?: Record<string, string | undefined> } = {},
): Promise<LoadedGame[]> {
  const env = options.env ?? {};
  const games: LoadedGame[] = [];
  for (const entry of entries) {
    if (typeof entry !== "string") {
      games.push(loaded(entry, env, "code"));
      continue;
    }
    if (!isPath(entry)) {
      games.push(loaded(builtin(entry), env, "builtin"));
      continue;
    }
    const file = resolve(options.cwd ?? process.cwd(), entry);
    games.push(loaded(await importDefinition(file), env, file));
  }
  return checkUnique(games);
}
