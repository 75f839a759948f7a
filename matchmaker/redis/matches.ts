import type { CancelReason, MatchEnd, PlayerId } from "../../protocol/index.ts";
import type { Adoption, EndStamps, Finished, FinishOutcome, MatchResult, MatchEnding, MatchSnapshotEntry, MatchStore } from "../store.ts";
import type { LapsedMatch, HostLease, Cancellation, MatchRecord, MatchRef } from "../types.ts";
import { list, archiveArgs, type RedisCore } from "./core.ts";

/** finish-match.lua's answer codes. */
const FINISH_OUTCOMES: Record<number, FinishOutcome> = { 0: "refused", 1: "recorded", 2: "already", 3: "unknown" };

/** A lapsed host's match taken by a node that never ended it (it died, or lost the answer) is handed out again after this. */
const REAP_RETRY_MS = 5000;

/** The Redis store's matches role (`MatchStore`): ready checks, ends (fenced by the host's claim), host leases, snapshots and adoption, on the shared connection and script runner (`RedisCore`). */
export function redisMatches(core: RedisCore): MatchStore {
  return {
    async hostSet(game: string, node: string): Promise<string[]> {
      return core.call(() => core.redis.smembers(core.key(game, "hm", node)));
    },

    async getMatch(game: string, matchId: string): Promise<MatchRecord | null> {
      const result = await core.json("get-match", { game, matchId });
      return result.match ?? null;
    },

    async markReady(game: string, matchId: string, playerId: PlayerId, host: HostLease): Promise<{ match: MatchRecord; started: boolean }> {
      return core.json("mark-ready", {
        game,
        matchId,
        playerId,
        host: host.node,
        now: host.now,
        leaseMs: host.leaseMs,
      });
    },

    async renewHost(node: string, until: number, matches: MatchRef[] = [], delivered: MatchRef[] = []): Promise<void> {
      const of = (refs: MatchRef[], game: string) => refs.filter((m) => m.game === game).map((m) => m.matchId);
      for (const game of core.games) await core.integer("renew-host", { game, node, until, matchIds: of(matches, game), delivered: of(delivered, game) });
    },

    async claimLapsedHosts(now: number, limit: number): Promise<LapsedMatch[]> {
      const claimed: LapsedMatch[] = [];
      for (const game of core.games) {
        if (claimed.length >= limit) break;
        claimed.push(
          ...list<LapsedMatch>((await core.json("claim-lapsed-hosts", { game, now, limit: limit - claimed.length, retryMs: REAP_RETRY_MS })).claimed),
        );
      }
      return claimed;
    },

    async saveSnapshots(game: string, node: string, snapshots: MatchSnapshotEntry[]): Promise<string[]> {
      if (!snapshots.length) return [];
      return list<string>((await core.json("save-snapshots", { game, node, snapshots })).lost);
    },

    async adoptMatch(game: string, matchId: string, node: string, from: string, until: number): Promise<Adoption | null> {
      const result = await core.json("adopt-match", {
        game,
        matchId,
        node,
        from,
        until,
      });
      if (result.ended) {
        const { players, ending, stamps } = result.ended;
        return { ended: { players: list<PlayerId>(players), end: JSON.parse(ending) as MatchEnd, stamps } };
      }
      if (!result.match) return null;
      if (!result.snapshot) return { match: result.match };
      return { match: result.match, snapshot: result.snapshot, inputs: list<string>(result.inputs), ...(result.truncated ? { truncated: true } : {}) };
    },

    async overdueReadyChecks(game: string, now: number, limit: number): Promise<string[]> {
      return core.call(() => core.redis.zrangebyscore(core.key(game, "rc", game), "-inf", now, "LIMIT", 0, limit));
    },

    async cancelReadyCheck(game: string, matchId: string, reason: CancelReason, leaver?: PlayerId): Promise<Cancellation | null> {
      const result = await core.json("cancel-ready-check", { game, matchId, reason, leaver: leaver ?? "" });
      return result.none ? null : { matchId: result.matchId, game: result.game, reason: result.reason, seats: list(result.seats) };
    },

    async endMatch(game: string, matchId: string, ending?: MatchEnding): Promise<EndStamps | null> {
      const args = {
        game,
        matchId,
        now: Date.now(),
        ending: ending ? JSON.stringify(ending.end) : "",
        host: ending?.host ?? "",
        ...(ending?.claim ? { claim: ending.claim } : {}),
      };
      return (await core.json("end-match", args)).stamps ?? null;
    },

    async finishMatch(game: string, result: MatchResult): Promise<Finished> {
      const { matchId, mode, claim, ratings, guestTtlMs, end, archive } = result;
      const answer = await core.json("finish-match", {
        game,
        matchId,
        mode,
        now: Date.now(),
        claim,
        ending: JSON.stringify(end),
        ratings: Object.entries(ratings ?? {}).map(([playerId, r]) => ({ playerId, value: `${r.rating} ${r.mu} ${r.sigma}` })),
        guestTtlMs,
        archive: archiveArgs(archive, guestTtlMs),
      });
      const outcome = FINISH_OUTCOMES[answer.code] ?? "refused";
      return answer.stamps ? { outcome, stamps: answer.stamps } : { outcome };
    },
  };
}
