import type { Logger } from "pino";
import type { PlayerChannel } from "../matchmaker/index.ts";
import type { MatchEnd } from "../protocol/index.ts";
import type { EndStamps, HostClaim, LapsedMatch, MatchRecord, MatchRef, MatchStore } from "../matchmaker/index.ts";
import type { MatchResults } from "./match-results.ts";

export interface HostLeasesOptions {
  node: string;
  store: MatchStore;
  results: MatchResults;
  channel: PlayerChannel;
  log: Logger;
  leaseMs: number;
  /** The matches this node hosts right now. */
  hosted: () => Iterable<MatchRef>;
  /** Ends recorded since the last call whose players this node has told (handed over once). */
  delivered: () => MatchRef[];
  /** Stops running a match here without ending it (its record names another host). */
  relinquish: (matchId: string) => void;
  /** Resumes a lapsed host's match here; false when it cannot be resumed (it is then ended). */
  adopt?: (lapsed: LapsedMatch) => Promise<boolean>;
}

/** Matches taken from lapsed hosts per call. */
const CLAIM_BATCH = 50;

/**
 * Liveness of hosts: this node renews one lease that covers every match it hosts (and every one
 * whose end the store has not taken yet: they stay in its set until then); any node takes, once
 * each, the matches of a host whose lease lapsed, in batches: it adopts and resumes each one it
 * can (`MatchMigration`), and ends the others, telling their players the match was aborted.
 */
export class HostLeases {
  private readonly unconfirmed: MatchRef[] = [];
  /** Matches of this node's set it did not run at the last reconciliation. */
  private unhosted = new Set<string>();
  /** The last renewal that landed, and since when renewals have landed without a gap (0: none yet). */
  private lastRenewal = 0;
  private renewingSince = 0;

  constructor(private readonly options: HostLeasesOptions) {}

  /** Retries unrecorded ends, then renews this node's lease (confirming the ends it delivered). */
  async renew(): Promise<void> {
    await this.options.results.retry();
    const delivered = this.options.delivered();
    try {
      await this.options.store.renewHost(this.options.node, Date.now() + this.options.leaseMs, [], delivered);
    } catch (error) {
      this.unconfirmed.push(...delivered);
      throw error;
    }
    // Renewals come every leaseMs/3: a longer gap means this node could not reach the store.
    const now = Date.now();
    if (this.lastRenewal === 0 || now - this.lastRenewal > this.options.leaseMs / 2) this.renewingSince = now;
    this.lastRenewal = now;
    // Confirmations that failed before go with the next renewal, and wait for another if it fails too.
    if (!this.unconfirmed.length) return;
    const again = this.unconfirmed.splice(0);
    try {
      await this.options.store.renewHost(this.options.node, Date.now() + this.options.leaseMs, [], again);
    } catch (error) {
      this.unconfirmed.push(...again);
      throw error;
    }
  }

  /**
   * Ends the matches in this node's set that it does not run: it was chosen to host them but never
   * started them (the hand-over message was lost, or hosting failed). Its lease covers its whole
   * set, so nobody else would ever end them. A match must be seen unhosted at two reconciliations
   * in a row (a hand-over may be on its way); then it ends `aborted` and its players are told.
   */
  async reconcile(games: readonly string[]): Promise<void> {
    const { store, log, node } = this.options;
    const hosted = new Set([...this.options.hosted()].map((ref) => ref.matchId));
    const unhosted = new Set<string>();
    for (const game of games) {
      for (const matchId of await store.hostSet(game, node)) {
        if (hosted.has(matchId) || this.options.results.isPending(matchId)) continue;
        const match = await store.getMatch(game, matchId);
        // an end waiting for its delivery to be confirmed, or a match that moved to another host
        if (!match || match.state !== "playing" || match.host !== node) continue;
        if (!this.unhosted.has(matchId)) {
          unhosted.add(matchId);
          continue;
        }
        const stamps = await store.endMatch(game, matchId, { end: abortedEnd(match), claim: claimOf(match) });
        if (!stamps) continue;
        log.warn({ game, matchId, node, players: match.players.map((p) => p.playerId) }, "match aborted: this node was chosen to host it but never started it");
        this.tellAborted(match, stamps);
      }
    }
    this.unhosted = unhosted;
  }

  /**
   * Ends the matches of hosts whose lease lapsed (a bounded batch per call). Only a node whose own
   * renewals have landed for a whole lease judges: after an outage every node suffered, every
   * lease has lapsed, and a node back first would take live hosts' matches.
   */
  async reapLapsed(): Promise<void> {
    const { store, log, leaseMs, node } = this.options;
    if (this.renewingSince === 0 || Date.now() - this.renewingSince < leaseMs) return;
    const hosted = new Set([...this.options.hosted()].map((ref) => ref.matchId));
    for (const lapsed of await store.claimLapsedHosts(Date.now(), CLAIM_BATCH)) {
      const { game, matchId } = lapsed;
      const ref = { game, matchId };
      if (lapsed.host === node || this.options.results.isPending(matchId)) {
        // Our own lease lapsed (we could not reach the store): a running match is still ours to
        // finish; an end we recorded, we told its players.
        await store.renewHost(node, Date.now() + leaseMs, [ref], [ref]);
        continue;
      }
      // This node still runs a match the store says another node hosts (it stalled past its lease
      // and the match was adopted): that room is stale, whatever happens to the match now.
      if (hosted.has(matchId)) this.options.relinquish(matchId);
      let match: MatchRecord | null;
      let stamps: EndStamps | null = null;
      try {
        if (await this.options.adopt?.(lapsed)) continue;
        match = await store.getMatch(game, matchId);
        // Only while it is still the lapsed host's (fenced): it may have been adopted meanwhile.
        if (match) stamps = await store.endMatch(game, matchId, { end: abortedEnd(match), claim: claimOf(match) });
      } catch (error) {
        // The claim took it from its host's set: put it back, lapsed, so that this node or another
        // tries again; the rest of the batch goes on.
        await store.renewHost(lapsed.host, Date.now(), [ref]).catch(() => undefined);
        log.warn({ err: error, game, matchId, host: lapsed.host }, "could not end a lapsed host's match yet; retrying");
        continue;
      }
      if (!match || !stamps) continue;
      log.warn({ game, matchId, host: match.host }, "match aborted: its host stopped renewing the lease and it could not be resumed");
      this.tellAborted(match, stamps);
    }
  }

  private tellAborted(match: MatchRecord, stamps: EndStamps): void {
    const end = abortedEnd(match);
    match.players.forEach((p, seat) => this.options.channel.toPlayer(match.game, p.playerId, "match:end", end, stamps[seat]));
  }
}

/** The claim a match's record gives its host now. */
function claimOf(match: MatchRecord): HostClaim {
  return { host: match.host ?? "", epoch: match.epoch ?? 1 };
}

/** The end of a match that no node could resume: aborted, ratings unchanged. */
function abortedEnd(match: MatchRecord): MatchEnd {
  return { matchId: match.matchId, reason: "aborted", winner: null, ratings: Object.fromEntries(match.players.map((p) => [p.playerId, p.rating])) };
}
