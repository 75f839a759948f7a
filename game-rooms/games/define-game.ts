import { z } from "zod";
import type { Seat } from "../../protocol/index.ts";
import type { GameRules } from "./game-module.ts";

/**
 * A bot's move: the input to send after seeing `view` as `seat`, or undefined to send nothing (not
 * its turn, nothing to change). Pure, so that bots, the bench and the conformance suite share it.
 */
export type GameBot<Input, View> = (view: View, seat: Seat, random: () => number) => Input | undefined;

/** A game's settings: each key is read from the environment variable `<prefix>_<KEY_IN_SNAKE_CASE>`. */
export interface GameSettings<Settings> {
  /** The environment prefix, e.g. `PONG`: `tickRate` is then `PONG_TICK_RATE`. */
  prefix: string;
  /** A zod object whose keys are the settings; each value's schema parses the variable's text (see `setting`). */
  schema: z.ZodType<Settings> & { shape: Record<string, z.ZodType> };
}

/**
 * Everything about one game, as its folder exports it (`export default defineGame({...})`). The
 * server, the bots, the bench and the page learn the game from this value and `GET /v1/games`; none
 * of them names a game.
 */
export interface GameDefinition<Settings = any, State = any, Input = any, View = any> {
  /** Its namespace (`/<name>`) and key in Redis: lowercase letters, digits and dashes. */
  readonly name: string;
  /** Read from the environment when a node loads the game; `create` gets them parsed. */
  readonly settings?: GameSettings<Settings>;
  /** The rules for these settings. Called once per node (and by viewers, with a replay's `rules`). */
  create(settings: Settings): GameRules<State, Input, View>;
  /** The default bot: `npm run bot`, the bench and the conformance suite play with it. */
  readonly bot?: GameBot<Input, View>;
  /**
   * The browser renderer: the URL of a module whose default export is a `GameRenderer`, usually
   * `new URL("./renderer.ts", import.meta.url).href`. Without one the page shows a generic view.
   */
  readonly renderer?: string;
  /**
   * The URL of the module that defines the game (`import.meta.url`), so the page can run its rules
   * (replays). A game loaded by path from `GAMES` needs none: the loader knows its file.
   */
  readonly source?: string;
}

/** The input and view types of a defined game: `ArenaClient<GameTypes<typeof myGame>>`. */
export type GameTypes<D> = D extends GameDefinition<any, any, infer Input, infer View> ? { input: Input; view: View } : never;

export const GAME_NAME = /^[a-z][a-z0-9-]{0,31}$/;

/** Declares a game; the types of its input and view flow from `create` to `bot` and to clients. */
export function defineGame<Settings, State, Input, View>(
  definition: GameDefinition<Settings, State, Input, View>,
): GameDefinition<Settings, State, Input, View> {
  if (!GAME_NAME.test(definition.name)) throw new Error(`bad game name "${definition.name}": lowercase letters, digits and dashes, 32 at most`);
  if (definition.settings && !/^[A-Z][A-Z0-9_]*$/.test(definition.settings.prefix))
    throw new Error(`game ${definition.name}: settings prefix must be UPPER_SNAKE`);
  return Object.freeze({ ...definition });
}

/** True for a value that looks like a `defineGame` result (a module loaded by path is checked with it). */
export function isGameDefinition(value: unknown): value is GameDefinition {
  return (
    typeof value === "object" && value !== null && typeof (value as GameDefinition).name === "string" && typeof (value as GameDefinition).create === "function"
  );
}

/** Unset or empty: the default; a value given as a number or a boolean (a replay's rules): as its text. */
const fromText = (fallback: unknown) => (value: unknown) =>
  value === undefined || value === "" ? fallback : typeof value === "number" || typeof value === "boolean" ? String(value) : value;

/** Schemas for settings read from environment text, with messages that say what is accepted. */
export const setting = {
  integer(fallback: number, min: number, max: number) {
    const accepts = `an integer from ${min} to ${max}`;
    return z.preprocess(fromText(String(fallback)), z.coerce.number({ error: accepts }).int(accepts).min(min, accepts).max(max, accepts));
  },
  decimal(fallback: number, min: number, max: number) {
    const accepts = `a number from ${min} to ${max}`;
    return z.preprocess(fromText(String(fallback)), z.coerce.number({ error: accepts }).min(min, accepts).max(max, accepts));
  },
  boolean(fallback: boolean) {
    return z.preprocess(
      fromText(String(fallback)),
      z.enum(["true", "false"], { error: "true or false" }).transform((v) => v === "true"),
    );
  },
};

/** The environment variable of a setting: `tickRate` under `PONG` is `PONG_TICK_RATE`. */
export function settingVariable(prefix: string, key: string): string {
  return `${prefix}_${key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase()}`;
}

/** A setting that does not parse: names the variable and what it accepts. */
export class GameSettingError extends Error {
  override readonly name = "GameSettingError";
}

/**
 * A game's settings read from `env` (unset variables take their defaults). `values` (a replay's
 * `rules`) are used as given instead, so that a viewer runs the rules the match ran with.
 */
export function readSettings<Settings>(
  definition: GameDefinition<Settings>,
  env: Record<string, string | undefined>,
  values?: Record<string, unknown>,
): Settings {
  const settings = definition.settings;
  if (!settings) return undefined as Settings;
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(settings.schema.shape)) {
    raw[key] = values ? values[key] : env[settingVariable(settings.prefix, key)];
  }
  const parsed = settings.schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const key = String(issue.path[0] ?? "");
  const variable = settingVariable(settings.prefix, key);
  // Worded as the server's own configuration errors: the variable, the value, what it accepts.
  throw new GameSettingError(
    `${variable}=${JSON.stringify(String(raw[key] ?? ""))} is not valid: ${variable} accepts ${issue.message} (game ${definition.name})`,
  );
}
