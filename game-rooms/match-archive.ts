import type { MatchArchive } from "../matchmaker/index.ts";
import type { MatchEnd } from "../protocol/index.ts";
import type { Room } from "./room.ts";

/** A finished room as the store keeps it: its replay, each player's history entry, and whether it moves the leaderboard (`rated`). */
export function archiveOf(room: Room, end: MatchEnd, endedAt: number, replayTtlMs: number, rated: boolean): MatchArchive {
  const mode = room.mode;
  const players = room.seats.map((s) => ({ playerId: s.playerId, name: s.name, rating: s.rating }));
  const replay = {
    matchId: room.matchId,
    game: room.game.name,
    mode,
    seed: room.seed,
    tickRate: room.game.tickRate,
    ...(room.game.rules ? { rules: room.game.rules } : {}),
    players,
    inputs: room.replay.inputs(),
    ...(room.replay.truncated ? { truncated: true } : {}),
    end: { reason: end.reason, winner: end.winner, tick: room.tick },
  };
  return {
    replay,
    replayTtlMs,
    ranked: end.reason !== "aborted" && rated,
    players: room.seats.map((seat, i) => {
      const opponent = room.seats[i === 0 ? 1 : 0];
      const result =
        end.winner === null ? (end.reason === "draw" || end.reason === "time" ? "draw" : "aborted") : end.winner === seat.playerId ? "win" : "loss";
      const rating = end.ratings[seat.playerId] ?? seat.rating;
      return {
        playerId: seat.playerId,
        name: seat.name,
        rating,
        entry: { matchId: room.matchId, mode, opponent: { playerId: opponent.playerId, name: opponent.name }, result, ratingAfter: rating, endedAt },
      };
    }),
  };
}
