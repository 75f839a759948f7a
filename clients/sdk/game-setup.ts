import { INPUT_SEQ_NAMES, type GameInfo, type PlayableGame, type PlayableRules, type WireFieldInfo } from "../../protocol/index.ts";

/** What the client knows of the game it plays: from `GET /v1/games`, and the game's own rules when it was given them. */
export interface GameSetup {
  name: string;
  kind: "realtime" | "turns";
  /** The game's rules, made with the server's settings: prediction runs them. */
  rules?: PlayableRules;
  /** The compact encoding's fields (`wire.fields`), when known. */
  fields?: WireFieldInfo[];
}

/**
 * Learns the game from the server (`GET /v1/games`: kind, wire fields, the settings its rules were
 * made with) and, given the game's definition, makes the same rules. A server that cannot be asked
 * leaves what the definition alone tells (its default settings).
 */
export async function setUpGame(url: string, game: string | PlayableGame, timeoutMs = 5000): Promise<GameSetup> {
  const name = typeof game === "string" ? game : game.name;
  let info: GameInfo | undefined;
  try {
    const response = await fetch(new URL("/v1/games", url), { signal: AbortSignal.timeout(timeoutMs) });
    if (response.ok) info = ((await response.json()) as GameInfo[]).find((g) => g.name === name);
  } catch {
    // unreachable now: the definition's defaults
  }
  const values = (info?.rules ?? {}) as Record<string, unknown>;
  const rules = typeof game === "string" ? undefined : game.create(game.settings ? game.settings.schema.parse(values) : undefined);
  const wire = (info?.wire as { fields?: WireFieldInfo[] } | undefined)?.fields;
  const fields = wire ?? (rules?.wire ? [...rules.wire, ...INPUT_SEQ_NAMES.map((n) => ({ name: n, scale: 1 }))] : undefined);
  const kind = info?.kind === "turns" || info?.kind === "realtime" ? info.kind : (rules?.kind ?? "realtime");
  return { name, kind, ...(rules ? { rules } : {}), ...(fields ? { fields } : {}) };
}
