import type { Logger } from "pino";
import type { EndReason, MatchEnd, PlayerId, Seat } from "../protocol/index.ts";
import type { MatchArchive, MatchEnding, MatchStore, Rated, RatingStore, RatingSystem, WatchStore } from "../matchmaker/index.ts";
import type { SeatState } from "./room.ts";

type Ratings = Record<PlayerId, Rated>;

/**
 * The end of a match in the store: new ratings (the rating system's) and the players freed. An end the store cannot
 * take yet (unreachable) is kept and retried; until then its lease is renewed like a running match's.
 */
export class MatchResults {
  private readonly unrecorded = new Map<string, { game: string; mode: string; ratings: Ratings | null; ending: MatchEnding; archive: MatchArchive }>();

  constructor(
    private readonly store: MatchStore & RatingStore & Pick<WatchStore, "archiveMatch">,
    private readonly system: RatingSystem,
    /** How long a guest's rating lives after its last match (a guest token's lifetime). */
    private readonly guestTtlMs: number,
    private readonly log: Logger,
    /**
     * Called with an end recorded only on a retry: it was told while the store was unreachable, when
     * the relay could not carry it to players on other nodes, so they are told again (a player who
     * had it drops the repeat).
     */
    private readonly recordedLate?: (game: string, end: MatchEnd, players: PlayerId[]) => void,
  ) {}

  /** Each player's rating after the match (unchanged when it was aborted, or when `rated` is false: a casual mode). */
  ratingsAfter(seats: readonly [SeatState, SeatState], reason: EndReason, winner: Seat | null, rated = true): Ratings {
    const [a, b] = seats;
    let ratings: [Rated, Rated] = [a, b];
    if (rated && reason !== "aborted") ratings = this.system.update(a, b, winner === null ? 0.5 : winner === 0 ? 1 : 0);
    ratings = ratings.map(({ rating, mu, sigma }) => ({ rating, mu, sigma })) as [Rated, Rated];
    return { [a.playerId]: ratings[0], [b.playerId]: ratings[1] };
  }

  /**
   * Writes the ratings (none for an aborted match) and ends the match with how it ended; on failure
   * keeps it for a retry.
   */
  async record(game: string, mode: string, matchId: string, ratings: Ratings | null, ending: MatchEnding, archive: MatchArchive): Promise<void> {
    try {
      await this.write(game, mode, matchId, ratings, ending, archive);
    } catch (error) {
      this.unrecorded.set(matchId, { game, mode, ratings, ending, archive });
      this.log.error({ err: error, game, matchId }, "could not record the end of a match yet; retrying");
    }
  }

  /** Retries the ends the store did not take; throws at the first that fails again. */
  async retry(): Promise<void> {
    for (const [matchId, end] of this.unrecorded) {
      await this.write(end.game, end.mode, matchId, end.ratings, end.ending, end.archive);
      this.unrecorded.delete(matchId);
      this.log.info({ game: end.game, matchId }, "end of match recorded after a retry");
      this.recordedLate?.(
        end.game,
        end.ending.end,
        end.archive.players.map((p) => p.playerId),
      );
    }
  }

  isPending(matchId: string): boolean {
    return this.unrecorded.has(matchId);
  }

  private async write(game: string, mode: string, matchId: string, ratings: Ratings | null, ending: MatchEnding, archive: MatchArchive): Promise<void> {
    if (ratings) await this.store.setRatings(game, mode, ratings, this.guestTtlMs);
    // The end first: the players are free at once; a failed archive is retried with it (ending twice changes nothing).
    await this.store.endMatch(game, matchId, ending);
    await this.store.archiveMatch(game, archive);
  }
}
