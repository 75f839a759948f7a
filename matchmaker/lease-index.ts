import { SortedIndex } from "./sorted-index.ts";

/** Running matches by the time their host's lease runs out (the memory store's leases). */
export class LeaseIndex {
  private readonly byExpiry = new SortedIndex();
  private readonly until = new Map<string, { game: string; at: number }>();

  /** Sets (or moves) the lease of a match. */
  set(game: string, matchId: string, at: number): void {
    this.drop(matchId);
    this.byExpiry.add(at, `${game}|${matchId}`);
    this.until.set(matchId, { game, at });
  }

  drop(matchId: string): void {
    const lease = this.until.get(matchId);
    if (!lease) return;
    this.byExpiry.remove(lease.at, `${lease.game}|${matchId}`);
    this.until.delete(matchId);
  }

  /** Removes and returns up to `limit` leases that ran out by `now`. */
  claimExpired(now: number, limit: number): { game: string; matchId: string }[] {
    return this.byExpiry.rangeUp(-Infinity, now, limit).map((member) => {
      const cut = member.indexOf("|");
      const matchId = member.slice(cut + 1);
      this.drop(matchId);
      return { game: member.slice(0, cut), matchId };
    });
  }
}
