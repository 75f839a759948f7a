import { isGuest, type PlayerId } from "../../protocol/index.ts";
import { key, type MemoryState } from "./state.ts";
import type { RatingStore } from "../store.ts";
import type { Rated } from "../types.ts";

/** The memory store's ratings role (`RatingStore`): ratings per game and mode (guests' expire), on the shared state (`MemoryState`). */
export function memoryRatings(state: MemoryState): RatingStore {
  return {
    async getRating(game: string, mode: string, playerId: PlayerId, initial: Rated): Promise<Rated> {
      return state.ratingOf(game, mode, playerId, initial);
    },

    async setRatings(game: string, mode: string, ratings: Record<PlayerId, Rated>, guestTtlMs: number): Promise<void> {
      for (const [playerId, rating] of Object.entries(ratings)) {
        const k = key(game, `${mode}|${playerId}`);
        if (isGuest(playerId)) state.guestRatings.add(k, { ...rating }, Date.now(), guestTtlMs);
        else state.ratings.set(k, { ...rating });
      }
    },
  };
}
