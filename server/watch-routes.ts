import { PLAYER_ID } from "../protocol/index.ts";
import type { WatchStore } from "../matchmaker/index.ts";
import { httpError, json, type HttpRequest, type HttpResponse } from "./http-routes.ts";

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

const bad = (message: string) => httpError(400, { code: "BAD_REQUEST", message });

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
    const limit = limitOf(query, 50, 200);
    if (!known || limit === undefined) return bad("game: one of the server's games; limit: 1 to 200");
    return json(200, await deps.store.liveMatches(game, limit));
  }
  if (req.path === "/v1/leaderboard") {
    const mode = query.get("mode") ?? "ranked";
    const limit = limitOf(query, 100, 500);
    if (!known || !MODE.test(mode) || limit === undefined) return bad("game: one of the server's games; mode: a mode; limit: 1 to 500");
    return json(200, await deps.store.leaderboard(game, mode, limit));
  }
  const replay = /^\/v1\/matches\/([^/]+)\/replay$/.exec(req.path);
  if (replay) {
    const matchId = decodeURIComponent(replay[1]!);
    if (!MATCH_ID.test(matchId)) return bad("matchId: letters, digits, _ and - only");
    for (const name of deps.games()) {
      const found = await deps.store.replay(name, matchId);
      if (found) return json(200, found);
    }
    return httpError(404, { code: "UNKNOWN_MATCH", message: "no replay of that match: unknown, or expired" });
  }
  const history = /^\/v1\/players\/([^/]+)\/matches$/.exec(req.path);
  if (history) {
    const playerId = decodeURIComponent(history[1]!);
    if (!PLAYER_ID.test(playerId) || !known) return bad("playerId: a player id; game: one of the server's games");
    return json(200, await deps.store.history(game, playerId));
  }
  return undefined;
}
