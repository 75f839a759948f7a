import { z } from "zod";
import { ArenaError, ErrorCode, WireCodec, type GameInfo } from "../protocol/index.ts";
import type { AnyGame } from "./games/game-module.ts";
import { BUILTIN_GAMES } from "./games/builtin.ts";
import { builtinGames, type LoadedGame } from "./games/load-games.ts";
import { INPUT_SEQ_FIELDS } from "./games/wire.ts";

/** The input schema as JSON Schema, for clients that build a form from it (the page's generic view). */
function inputJsonSchema(game: AnyGame): unknown {
  try {
    return z.toJSONSchema(game.inputSchema, { unrepresentable: "any" });
  } catch {
    return {};
  }
}

/** The games this node serves, keyed by name; each gets the namespace `/<name>`. */
export class GameRegistry {
  private readonly games = new Map<string, LoadedGame>();

  constructor(games: readonly LoadedGame[]) {
    for (const game of games) {
      if (this.games.has(game.definition.name)) throw new Error(`game ${game.definition.name} registered twice`);
      this.games.set(game.definition.name, game);
    }
  }

  get(name: string): AnyGame | undefined {
    return this.games.get(name)?.module;
  }

  /** The loaded game: its definition and renderer as well as its rules. */
  loaded(name: string): LoadedGame | undefined {
    return this.games.get(name);
  }

  list(): AnyGame[] {
    return [...this.games.values()].map((g) => g.module);
  }

  names(): string[] {
    return [...this.games.keys()];
  }

  /** Each game's compact encoding (its wire fields, then `inputSeq`), for the games that declare one. */
  wireCodecs(): Map<string, WireCodec> {
    const codecs = new Map<string, WireCodec>();
    for (const game of this.list()) if (game.wire?.length) codecs.set(game.name, new WireCodec([...game.wire, ...INPUT_SEQ_FIELDS]));
    return codecs;
  }

  private described: GameInfo[] | undefined;

  /** The `GET /v1/games` answer: everything a client needs to play each game (made once: the games never change). */
  describe(): GameInfo[] {
    this.described ??= [...this.games.values()].map(({ module: game }) => ({
      name: game.name,
      namespace: `/${game.name}`,
      tickRate: game.tickRate,
      kind: game.kind,
      modes: [...game.modes],
      seats: 2,
      maxDurationS: game.maxDurationS,
      viewPerSeat: Boolean(game.viewPerSeat),
      wire: { fields: [...(game.wire ?? []), ...INPUT_SEQ_FIELDS] },
      // The settings the rules were made with: a client makes the same rules to predict with.
      rules: game.rules ?? {},
      input: inputJsonSchema(game),
      // The game's browser module: its rules and renderer, for the page and replays.
      script: `/games/${game.name}.js`,
    }));
    return this.described;
  }

  /** The mode a player asked for (the game's first when none); BAD_REQUEST for one the game does not declare. */
  mode(game: string, asked: string | undefined): string {
    const modes = this.games.get(game)?.module.modes ?? [];
    if (asked === undefined) return modes[0] ?? "ranked";
    if (!modes.includes(asked)) throw new ArenaError(ErrorCode.BAD_REQUEST, `mode: one of ${modes.join(", ")}`);
    return asked;
  }
}

/** Every built-in game, with its settings read from `env`. */
export function defaultGames(env: Record<string, string | undefined> = {}): GameRegistry {
  return new GameRegistry(
    builtinGames(
      BUILTIN_GAMES.map((g) => g.name),
      env,
    ),
  );
}
