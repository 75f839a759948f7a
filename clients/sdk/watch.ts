import { ErrorCode, type ErrorBody, type HistoryEntry, type LeaderboardEntry, type LiveMatch, type Replay } from "../../protocol/index.ts";
import { ArenaClientError } from "./errors.ts";

/** GETs one of the server's JSON routes; a coded error answer rejects with ArenaClientError. */
async function getJson<T>(url: string, path: string, query: Record<string, string | number | undefined> = {}): Promise<T> {
  const target = new URL(path, url);
  for (const [key, value] of Object.entries(query)) if (value !== undefined) target.searchParams.set(key, String(value));
  const response = await fetch(target);
  const body = (await response.json()) as T | { error: ErrorBody };
  if (!response.ok) {
    const error = typeof body === "object" && body !== null && "error" in body ? body.error : { code: ErrorCode.INTERNAL, message: `HTTP ${response.status}` };
    throw ArenaClientError.from(error);
  }
  return body as T;
}

/** `GET /v1/matches`: a game's running matches on every node, newest first. */
export function fetchLiveMatches(url: string, game: string, limit?: number): Promise<LiveMatch[]> {
  return getJson(url, "/v1/matches", { game, limit });
}

/** `GET /v1/matches/:matchId/replay`: rejects with UNKNOWN_MATCH when unknown or expired. */
export function fetchReplay(url: string, matchId: string): Promise<Replay> {
  return getJson(url, `/v1/matches/${encodeURIComponent(matchId)}/replay`);
}

/** `GET /v1/players/:playerId/matches`: the player's last 20 matches of a game. */
export function fetchHistory(url: string, playerId: string, game: string): Promise<HistoryEntry[]> {
  return getJson(url, `/v1/players/${encodeURIComponent(playerId)}/matches`, { game });
}

/** `GET /v1/leaderboard`: the best players of a game and mode. */
export function fetchLeaderboard(url: string, game: string, options: { mode?: string; limit?: number } = {}): Promise<LeaderboardEntry[]> {
  return getJson(url, "/v1/leaderboard", { game, mode: options.mode, limit: options.limit });
}
