import { PLAYER_ID, ErrorCode } from "../../protocol/index.ts";
import type { WatchStore } from "../../matchmaker/index.ts";
import { httpError, json, type HttpRequest, type HttpResponse } from "./http-message.ts";

export interface WatchDeps {
  store: Pick<WatchStore, "liveMatches" | "replay" | "history" | "leaderboard">;
  /** The live nodes with how clients reach them (`GET /v1/regions`). */
  nodes: () => Promise<{ region: string; url?: string }[]>;
  /** The games this server plays. */
  games: () => string[];
}

const MATCH_ID = /^[A-Za-z0-9_-]{1,64}$/;
const MODE = /^[A-Za-z0-9_-]{1,32}$/;

/** A `limit` query parameter: 1..max, `fallback` when absent; undefined when malformed. */
function limitOf(query: URLSearchParams, fallback: number, max: number): number | undefined {
  const raw = query.get("limit");
  if (raw === null) return fallback;
  const limit = Number(raw);
  return Number.isInteger(limit) && limit >= 1 && limit <= max ? limit : undefined;
}

const bad = (message: string) => httpError(400, { code: ErrorCode.BAD_REQUEST, message });

/** The most rows `limit` may ask of a list route. */
export const MAX_LIMIT = 100;

/** A path segment with its `%` escapes decoded; undefined when an escape is malformed. */
function segment(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/**
 * The watching routes (PROTOCOL.md, HTTP routes): live matches, a finished match's replay, a
 * player's last matches, leaderboards. Undefined when the path is not one of them.
 */
export async function handleWatch(deps: WatchDeps, req: HttpRequest): Promise<HttpResponse | undefined> {
  if (req.method !== "GET") return undefined;
  if (req.path === "/v1/ping") return { status: 204, headers: { "cache-control": "no-store" }, body: "" };
  if (req.path === "/v1/regions") {
    // One URL a region: a node's PUBLIC_URL, or "/" (this address) for a node without one.
    const regions = new Map<string, string>();
    for (const node of await deps.nodes())
      if (!regions.has(node.region) || (regions.get(node.region) === "/" && node.url)) regions.set(node.region, node.url ?? "/");
    return json(
      200,
      [...regions].map(([region, url]) => ({ region, url })),
    );
  }
  const query = new URLSearchParams(req.query);
  const game = query.get("game") ?? deps.games()[0]!;
  const known = deps.games().includes(game);
  if (req.path === "/v1/matches") {
    const limit = limitOf(query, 50, MAX_LIMIT);
    if (!known || limit === undefined) return bad(`game: one of the server's games; limit: 1 to ${MAX_LIMIT}`);
    return json(200, await deps.store.liveMatches(game, limit));
  }
  if (req.path === "/v1/leaderboard") {
    const mode = query.get("mode") ?? "ranked";
    const limit = limitOf(query, MAX_LIMIT, MAX_LIMIT);
    if (!known || !MODE.test(mode) || limit === undefined) return bad(`game: one of the server's games; mode: a mode; limit: 1 to ${MAX_LIMIT}`);
    return json(200, await deps.store.leaderboard(game, mode, limit));
  }
  const replay = /^\/v1\/matches\/([^/]+)\/replay$/.exec(req.path);
  if (replay) {
    const matchId = segment(replay[1]!);
    if (matchId === undefined || !MATCH_ID.test(matchId)) return bad("matchId: letters, digits, _ and - only");
    for (const name of deps.games()) {
      const found = await deps.store.replay(name, matchId);
      if (found) return json(200, found);
    }
    return httpError(404, { code: ErrorCode.UNKNOWN_MATCH, message: "no replay of that match: unknown, or expired" });
  }
  const history = /^\/v1\/players\/([^/]+)\/matches$/.exec(req.path);
  if (history) {
    const playerId = segment(history[1]!);
    if (playerId === undefined || !PLAYER_ID.test(playerId) || !known) return bad("playerId: a player id; game: one of the server's games");
    return json(200, await deps.store.history(game, playerId));
  }
  return undefined;
}
