import { isGuest, type PlayerId } from "../../protocol/index.ts";
import type { RatingStore } from "../store.ts";
import type { Rated } from "../types.ts";
import type { RedisCore } from "./core.ts";

/** The Redis store's ratings role (`RatingStore`): ratings per game and mode (guests' expire), on the shared connection and script runner (`RedisCore`). */
export function redisRatings(core: RedisCore): RatingStore {
  /** Where a rating lives (as lua/prelude.lua's `read_rating` reads it): a guest's in a key of its own that expires. */
  function ratingKey(game: string, mode: string, playerId: PlayerId): { key: string; field?: string } {
    return isGuest(playerId) ? { key: core.key(game, "gr", game, mode, playerId) } : { key: core.key(game, "rt", game, mode), field: playerId };
  }

  return {
    async getRating(game: string, mode: string, playerId: PlayerId, initial: Rated): Promise<Rated> {
      const { key, field } = ratingKey(game, mode, playerId);
      const value = await core.call(() => (field === undefined ? core.redis.get(key) : core.redis.hget(key, field)));
      if (value === null) return initial;
      const [rating, mu, sigma] = value.split(" ").map(Number) as [number, number, number];
      return { rating, mu, sigma };
    },

    async setRatings(game: string, mode: string, ratings: Record<PlayerId, Rated>, guestTtlMs: number): Promise<void> {
      const entries = Object.entries(ratings);
      if (!entries.length) return;
      const pipeline = core.redis.pipeline();
      for (const [playerId, r] of entries) {
        const { key, field } = ratingKey(game, mode, playerId);
        const value = `${r.rating} ${r.mu} ${r.sigma}`;
        if (field === undefined) pipeline.set(key, value, "PX", guestTtlMs);
        else pipeline.hset(key, field, value);
      }
      await core.call(async () => {
        for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
      });
    },
  };
}
