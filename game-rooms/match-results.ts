import type { Logger } from "pino";
import type { EndReason, MatchEnd, PlayerId, Seat } from "../protocol/index.ts";
import type { EndStamps, MatchResult, MatchStore, Rated, RatingSystem } from "../matchmaker/index.ts";
import type { SeatState } from "./room-types.ts";

type Ratings = Record<PlayerId, Rated>;

/**
 * How recording an end went (`record`), with the players' stamps for `match:end` when it was
 * recorded now (absent on a retry of an end recorded before, and when nothing was recorded).
 */
export interface Recorded {
  outcome: "recorded" | "refused" | "pending" | "unknown";
  stamps?: EndStamps;
}

/**
 * The end of a match in the store: new ratings (the rating system's) and the players freed. An end the store cannot
 * take yet (unreachable) is kept and retried; until then its lease is renewed like a running match's.
 */
export class MatchResults {
  private readonly unrecorded = new Map<string, { game: string; result: Omit<MatchResult, "guestTtlMs"> }>();

  constructor(
    private readonly store: Pick<MatchStore, "finishMatch">,
    private readonly system: RatingSystem,
    /** How long a guest's rating lives after its last match (a guest token's lifetime). */
    private readonly guestTtlMs: number,
    private readonly log: Logger,
    /**
     * Called with an end recorded only on a retry: it was told while the store was unreachable, when
     * the relay could not carry it to players on other nodes, so they are told again (a player who
     * had it drops the repeat).
     */
    private readonly recordedLate?: (game: string, end: MatchEnd, players: PlayerId[], stamps?: EndStamps) => void,
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
   * Records the end of a match (ratings, end and archive in one step, exactly once), under the
   * host's claim. `recorded`; `refused` when the claim no longer holds the match (another node
   * adopted it while this host stalled, or ended it: its players must not be told this end);
   * `pending` when the store is unreachable: kept and retried before each lease renewal; `unknown`
   * when the store knows nothing of the match (it lost its data): the players are told, nothing is
   * recorded (the ratings it lost are lost too).
   */
  async record(game: string, result: Omit<MatchResult, "guestTtlMs">): Promise<Recorded> {
    try {
      return await this.write(game, result);
    } catch (error) {
      this.unrecorded.set(result.matchId, { game, result });
      this.log.error({ err: error, game, matchId: result.matchId }, "could not record the end of a match yet; retrying");
      return { outcome: "pending" };
    }
  }

  /** Retries the ends the store did not take; throws at the first that fails again. */
  async retry(): Promise<void> {
    for (const [matchId, { game, result }] of this.unrecorded) {
      const { outcome, stamps } = await this.write(game, result);
      this.unrecorded.delete(matchId);
      if (outcome === "refused") continue;
      this.log.info({ game, matchId }, "end of match recorded after a retry");
      this.recordedLate?.(
        game,
        result.end,
        result.archive.players.map((p) => p.playerId),
        stamps,
      );
    }
  }

  isPending(matchId: string): boolean {
    return this.unrecorded.has(matchId);
  }

  private async write(game: string, result: Omit<MatchResult, "guestTtlMs">): Promise<Recorded> {
    const { outcome, stamps } = await this.store.finishMatch(game, { ...result, guestTtlMs: this.guestTtlMs });
    const fields = { game, matchId: result.matchId, node: result.claim.host, epoch: result.claim.epoch };
    if (outcome === "refused")
      this.log.warn(fields, "end of match refused: this host no longer holds the match (another node adopted or ended it); nothing recorded");
    if (outcome === "unknown") this.log.warn(fields, "end of a match the store does not know (it lost its data?): players told, nothing recorded");
    // A retry of a recorded end: its stamps went with the first reply, which was lost.
    if (outcome === "already") return { outcome: "recorded" };
    return stamps ? { outcome, stamps } : { outcome };
  }
}
