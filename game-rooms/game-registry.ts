import { ArenaError, ErrorCode, type GameInfo } from "../protocol/index.ts";
import type { AnyGame } from "./game.ts";
import { createPong, type PongOptions } from "./games/pong.ts";
import { createTictactoe, type TictactoeOptions } from "./games/tictactoe.ts";

/** The games this build serves, keyed by name; each gets the namespace `/<name>`. */
export class GameRegistry {
  private readonly games = new Map<string, AnyGame>();

  constructor(games: AnyGame[]) {
    for (const game of games) this.register(game);
  }

  register(game: AnyGame): void {
    if (!/^[a-z][a-z0-9-]{0,31}$/.test(game.name)) throw new Error(`bad game name ${game.name}`);
    if (game.tickRate < 10 || game.tickRate > 120) throw new Error(`tick rate of ${game.name} must be 10 to 120`);
    if (this.games.has(game.name)) throw new Error(`game ${game.name} registered twice`);
    if (game.modes.length === 0 || game.modes.some((m) => !/^[a-z][a-z0-9-]{0,31}$/.test(m))) throw new Error(`modes of ${game.name} must be 1 or more names`);
    this.games.set(game.name, game);
  }

  get(name: string): AnyGame | undefined {
    return this.games.get(name);
  }

  list(): AnyGame[] {
    return [...this.games.values()];
  }

  /** The `GET /v1/games` answer. */
  describe(): GameInfo[] {
    return this.list().map((game) => ({
      name: game.name,
      namespace: `/${game.name}`,
      tickRate: game.tickRate,
      kind: game.kind,
      modes: [...game.modes],
      seats: 2,
      maxDurationS: game.maxDurationS,
    }));
  }

  /** The mode a player asked for (the game's first when none); BAD_REQUEST for one the game does not declare. */
  mode(game: string, asked: string | undefined): string {
    const modes = this.games.get(game)?.modes ?? [];
    if (asked === undefined) return modes[0] ?? "ranked";
    if (!modes.includes(asked)) throw new ArenaError(ErrorCode.BAD_REQUEST, `mode: one of ${modes.join(", ")}`);
    return asked;
  }
}

export interface GameOptions {
  pong?: Partial<PongOptions>;
  tictactoe?: Partial<TictactoeOptions>;
}

/** The built-in games. */
export function defaultGames(options: GameOptions = {}): GameRegistry {
  return new GameRegistry([createPong(options.pong), createTictactoe(options.tictactoe)]);
}
