import { isGuest, type PlayerId, type HistoryEntry, type LeaderboardEntry, type LiveMatch, type Replay } from "../../protocol/index.ts";
import { key, type MemoryState } from "./state.ts";
import type { MatchmakingStore, MatchArchive, WatchStore } from "../store.ts";

/** The memory store's watching role (`WatchStore`): live matches, spectator counts, replays, histories and leaderboards, on the shared state (`MemoryState`). */
export function memoryWatch(state: MemoryState, store: MatchmakingStore /* the whole store, for what another role does */): WatchStore {
  return {
    async liveMatches(game: string, limit: number): Promise<LiveMatch[]> {
      const live = [...(state.matchesByGame.get(game) ?? [])]
        .map((id) => state.matches.get(id)!)
        .filter((m) => m.state === "playing")
        .sort((a, b) => (b.startedAt ?? 0) - (a.startedAt ?? 0))
        .slice(0, limit);
      return live.map((m) => ({
        matchId: m.matchId,
        game,
        mode: m.mode,
        players: m.players.map((p) => ({ playerId: p.playerId, name: p.name, rating: p.rating })),
        startedAt: m.startedAt ?? m.createdAt,
        spectators: state.spectators.get(m.matchId) ?? 0,
      }));
    },

    async setSpectators(_game: string, matchId: string, count: number): Promise<void> {
      if (state.matches.has(matchId)) state.spectators.set(matchId, count);
    },

    async archiveMatch(game: string, archive: MatchArchive): Promise<void> {
      state.archive(game, archive);
    },

    async replay(game: string, matchId: string): Promise<Replay | null> {
      const json = state.replays.get(key(game, matchId), Date.now());
      return json === undefined ? null : (JSON.parse(json) as Replay);
    },

    async history(game: string, playerId: PlayerId): Promise<HistoryEntry[]> {
      return state.histories.get(key(game, playerId), Date.now()) ?? [];
    },

    async sweepGuests(game: string): Promise<number> {
      let removed = 0;
      for (const [name, board] of state.boards) {
        const mode = name.slice(name.indexOf("|") + 1);
        if (!name.startsWith(`${game}|`)) continue;
        for (const playerId of board.keys()) {
          if (isGuest(playerId) && state.guestRatings.get(key(game, `${mode}|${playerId}`), Date.now()) === undefined) {
            board.delete(playerId);
            removed++;
          }
        }
      }
      return removed;
    },

    async leaderboard(game: string, mode: string, limit: number): Promise<LeaderboardEntry[]> {
      // A guest whose rating expired (with their token) leaves the board.
      await store.sweepGuests(game);
      const board = state.boards.get(`${game}|${mode}`);
      const rows = [...(board ?? [])].filter(([, e]) => e.matches >= 5);
      // As Redis orders a sorted set read backwards: by rating, then by id, both descending.
      rows.sort(([a, x], [b, y]) => y.rating - x.rating || (b < a ? -1 : b > a ? 1 : 0));
      return rows.slice(0, limit).map(([playerId, e], i) => ({ rank: i + 1, playerId, name: e.name, rating: e.rating, matches: e.matches }));
    },
  };
}
