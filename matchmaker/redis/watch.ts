import type { HistoryEntry, LeaderboardEntry, LiveMatch, Replay, PlayerId } from "../../protocol/index.ts";
import type { MatchArchive, WatchStore } from "../store.ts";
import { list, archiveArgs, type RedisCore } from "./core.ts";

/** The Redis store's watching role (`WatchStore`): live matches, spectator counts, replays, histories and leaderboards, on the shared connection and script runner (`RedisCore`). */
export function redisWatch(core: RedisCore): WatchStore {
  return {
    async liveMatches(game: string, limit: number): Promise<LiveMatch[]> {
      return list<LiveMatch>((await core.json("live-matches", { game, limit })).matches);
    },

    async setSpectators(game: string, matchId: string, count: number): Promise<void> {
      // Only while the match runs: a write after its end must not bring back a record of it.
      const key = core.key(game, "m", matchId);
      await core.call(() =>
        core.redis.eval("if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'spec', ARGV[1]) end return 0", 1, key, count),
      );
    },

    async archiveMatch(game: string, archive: MatchArchive): Promise<void> {
      await core.integer("archive-match", { game, ...archiveArgs(archive) });
    },

    async sweepGuests(game: string): Promise<number> {
      return core.integer("sweep-guests", { game });
    },

    async replay(game: string, matchId: string): Promise<Replay | null> {
      const text = await core.call(() => core.redis.get(core.key(game, "replay", matchId)));
      return text ? (JSON.parse(text) as Replay) : null;
    },

    async history(game: string, playerId: PlayerId): Promise<HistoryEntry[]> {
      const entries = await core.call(() => core.redis.lrange(core.key(game, "hist", game, playerId), 0, 19));
      return entries.map((entry) => JSON.parse(entry) as HistoryEntry);
    },

    async leaderboard(game: string, mode: string, limit: number): Promise<LeaderboardEntry[]> {
      return list<LeaderboardEntry>((await core.json("leaderboard", { game, mode, limit })).entries);
    },
  };
}
