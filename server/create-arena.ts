import { GameRegistry, loadGames, type GameDefinition } from "../game-rooms/index.ts";
import { createArenaServer, type ArenaServer } from "./arena-server.ts";
import { loadConfig } from "./config/index.ts";
import type { Logger } from "./logger.ts";

export interface CreateArenaOptions {
  /**
   * The games to serve: definitions (`defineGame`), built-in names, or module paths resolved from
   * the working directory. Default: `GAMES` from the environment (every built-in game when unset).
   */
  games?: (GameDefinition | string)[];
  /** Where settings are read from, the games' own included (default: `process.env`). */
  env?: Record<string, string | undefined>;
  logger?: Logger;
}

/**
 * An Arena node with the games you bring: `await (await createArena({ games: [myGame] })).start()`.
 * A bad setting or a game that cannot be loaded throws with one line saying which and why.
 */
export async function createArena(options: CreateArenaOptions = {}): Promise<ArenaServer> {
  const env = options.env ?? process.env;
  const config = loadConfig(env);
  const games = new GameRegistry(await loadGames(options.games ?? config.games, { env: config.gameEnv }));
  return createArenaServer({ config, games, ...(options.logger ? { logger: options.logger } : {}) });
}
