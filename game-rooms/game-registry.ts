import type { GameInfo } from "../protocol/index.ts";

/** What the server needs to know of a game to give it a namespace. Rules come with the game modules. */
export interface GameDescriptor {
  name: string;
  /** Default ticks per second (10 to 120). */
  tickRate: number;
  /** Real time (state every tick) or turn based (state on change). */
  kind: "realtime" | "turns";
}

/** The games this build serves, keyed by name. */
export class GameRegistry {
  private readonly games = new Map<string, GameDescriptor>();

  constructor(games: GameDescriptor[]) {
    for (const game of games) this.register(game);
  }

  register(game: GameDescriptor): void {
    if (!/^[a-z][a-z0-9-]{0,31}$/.test(game.name)) throw new Error(`bad game name ${game.name}`);
    if (game.tickRate < 10 || game.tickRate > 120) throw new Error(`tick rate of ${game.name} must be 10 to 120`);
    if (this.games.has(game.name)) throw new Error(`game ${game.name} registered twice`);
    this.games.set(game.name, game);
  }

  get(name: string): GameDescriptor | undefined {
    return this.games.get(name);
  }

  list(): GameDescriptor[] {
    return [...this.games.values()];
  }

  /** The `GET /v1/games` answer. */
  describe(): GameInfo[] {
    return this.list().map((game) => ({ name: game.name, namespace: `/${game.name}`, tickRate: game.tickRate, kind: game.kind }));
  }
}

/** The built-in games. */
export function defaultGames(): GameRegistry {
  return new GameRegistry([
    { name: "pong", tickRate: 30, kind: "realtime" },
    { name: "tictactoe", tickRate: 10, kind: "turns" },
  ]);
}
