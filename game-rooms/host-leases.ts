import type { Logger } from "pino";
import type { PlayerChannel } from "../protocol/index.ts";
import type { MatchRecord, MatchRef, MatchStore } from "../matchmaker/index.ts";
import type { MatchResults } from "./match-results.ts";

export interface HostLeasesOptions {
  store: MatchStore;
  results: MatchResults;
  channel: PlayerChannel;
  log: Logger;
  leaseMs: number;
  /** The matches this node hosts right now. */
  hosted: () => Iterable<MatchRef>;
}

/**
 * Liveness of hosts: this node renews a lease on each match it hosts (and on each whose end the
 * store has not taken yet), and any node ends, once, the matches of a host whose lease lapsed,
 * telling their players the match was aborted.
 */
export class HostLeases {
  constructor(private readonly options: HostLeasesOptions) {}

  /** Retries unrecorded ends, then renews every lease of this node. */
  async renew(): Promise<void> {
    await this.options.results.retry();
    const ours = [...this.options.hosted(), ...this.options.results.pending()];
    if (ours.length) await this.options.store.renewLeases(ours, Date.now() + this.options.leaseMs);
  }

  /** Ends the matches of hosts whose lease lapsed (a bounded batch per call). */
  async reapLapsed(): Promise<void> {
    const { store, log, leaseMs } = this.options;
    const hosted = new Set([...this.options.hosted()].map((ref) => ref.matchId));
    for (const { game, matchId } of await store.claimExpiredLeases(Date.now(), 50)) {
      if (hosted.has(matchId) || this.options.results.isPending(matchId)) {
        // Our own lease lapsed (we could not reach the store): the match is still ours to finish.
        await store.renewLeases([{ game, matchId }], Date.now() + leaseMs);
        continue;
      }
      let match: MatchRecord | null;
      try {
        match = await store.getMatch(game, matchId);
        if (match) await store.endMatch(game, matchId);
      } catch (error) {
        // The claim took the lease: put it back, lapsed, so that this node or another tries again.
        await store.renewLeases([{ game, matchId }], Date.now()).catch(() => undefined);
        throw error;
      }
      if (!match) continue;
      const ratings = Object.fromEntries(match.players.map((p) => [p.playerId, p.rating]));
      log.warn({ game, matchId, host: match.host }, "match aborted: its host stopped renewing the lease");
      for (const p of match.players) this.options.channel.toPlayer(game, p.playerId, "match:end", { matchId, reason: "aborted", winner: null, ratings });
    }
  }
}
