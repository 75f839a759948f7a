import { ArenaError, ErrorCode, type CancelReason, type PlayerId } from "../../protocol/index.ts";
import { key, type MemoryState } from "./state.ts";
import type { Adoption, EndStamps, Finished, MatchEnding, MatchmakingStore, MatchResult, MatchSnapshotEntry, MatchStore } from "../store.ts";
import type { LapsedMatch, HostLease, MatchRef, Cancellation, MatchRecord, HostClaim } from "../types.ts";

/** The memory store's matches role (`MatchStore`): ready checks, ends (fenced by the host's claim), host leases, snapshots and adoption, on the shared state (`MemoryState`). */
export function memoryMatches(state: MemoryState, store: MatchmakingStore /* the whole store, for what another role does */): MatchStore {
  /** The end of a match (end-match.lua's `finish_match`): players freed and stamped, the end kept a minute. */
  function finishRecord(match: MatchRecord, ending: MatchEnding | undefined, by: string): EndStamps {
    const { game, matchId } = match;
    state.dropMatch(match);
    const stamps: EndStamps = [state.stamp(game, match.players[0].playerId), state.stamp(game, match.players[1].playerId)];
    for (const p of match.players) state.forgetIfIdle(game, p.playerId);
    const now = Date.now();
    const seqs = stamps.map((s) => s.seq);
    state.finished.add(
      matchId,
      { game, players: match.players.map((p) => p.playerId), mode: match.mode, end: ending?.end, endedAt: now, asked: new Set(), by, seqs },
      now,
    );
    // A host's own end stays in its set until it confirms telling the players (renewHost).
    if (ending?.host !== undefined) state.hosts.add(ending.host, { game, matchId }, -Infinity);
    return stamps;
  }

  return {
    async getMatch(game: string, matchId: string): Promise<MatchRecord | null> {
      const match = state.matches.get(matchId);
      return match && match.game === game ? state.copyOf(match) : null;
    },

    async markReady(game: string, matchId: string, playerId: PlayerId, host: HostLease): Promise<{ match: MatchRecord; started: boolean }> {
      const match = state.matches.get(matchId);
      if (!match || match.game !== game) throw new ArenaError(ErrorCode.UNKNOWN_MATCH, "no such match");
      const seat = match.players.findIndex((p) => p.playerId === playerId);
      if (seat < 0) throw new ArenaError(ErrorCode.NOT_IN_MATCH, "not a player of this match");
      if (match.state !== "ready_check") return { match: state.copyOf(match), started: false };
      match.players[seat]!.ready = true;
      const started = match.players.every((p) => p.ready);
      if (started) {
        match.state = "playing";
        match.host ??= host.node;
        match.startedAt = host.now;
        match.epoch = 1;
        state.readyIndex(game).remove(match.readyBy, matchId);
        state.hosts.add(match.host, { game, matchId }, host.now + host.leaseMs);
        state.stampMatch(match);
      }
      return { match: state.copyOf(match), started };
    },

    async overdueReadyChecks(game: string, now: number, limit: number): Promise<string[]> {
      return state.readyIndex(game).rangeUp(-Infinity, now, limit);
    },

    async cancelReadyCheck(game: string, matchId: string, reason: CancelReason, leaver?: PlayerId): Promise<Cancellation | null> {
      const match = state.matches.get(matchId);
      if (!match || match.game !== game || match.state !== "ready_check") return null;
      state.dropMatch(match);
      const seats = match.players.map((p, seat) => {
        const stamp = state.stamp(game, p.playerId);
        // A match made without a queue (a challenge, a code, a rematch) has no tickets to put back.
        const requeued = p.ready && p.playerId !== leaver && p.ticketId !== "" && state.players.get(key(game, p.playerId))?.node !== undefined;
        if (requeued) {
          state.addTicket({
            ticketId: p.ticketId,
            playerId: p.playerId,
            name: p.name,
            game,
            mode: match.mode,
            rating: p.rating,
            mu: p.mu,
            sigma: p.sigma,
            ...(p.latencies ? { latencies: p.latencies } : {}),
            enqueuedAt: p.enqueuedAt,
          });
        } else {
          state.forgetIfIdle(game, p.playerId);
        }
        return { playerId: p.playerId, seat: seat as 0 | 1, ticketId: p.ticketId, requeued, stamp };
      });
      return { matchId, game, reason, seats };
    },

    async endMatch(game: string, matchId: string, ending?: MatchEnding): Promise<EndStamps | null> {
      const match = state.matches.get(matchId);
      if (!match || match.game !== game) return null;
      if (ending?.claim && !holds(match, ending.claim)) return null;
      return finishRecord(match, ending, "ended");
    },

    async finishMatch(game: string, result: MatchResult): Promise<Finished> {
      const match = state.matches.get(result.matchId);
      if (!match || match.game !== game) {
        const ended = state.finished.get(result.matchId, Date.now());
        return { outcome: !ended ? "unknown" : ended.by === claimText(result.claim) ? "already" : "refused" };
      }
      if (!holds(match, result.claim)) return { outcome: "refused" };
      if (result.ratings) await store.setRatings(game, result.mode, result.ratings, result.guestTtlMs);
      const stamps = finishRecord(match, { end: result.end, host: result.claim.host }, claimText(result.claim));
      state.archive(game, result.archive, result.guestTtlMs);
      return { outcome: "recorded", stamps };
    },

    async renewHost(node: string, until: number, matches: MatchRef[] = [], delivered: MatchRef[] = []): Promise<void> {
      state.hosts.renew(node, until);
      for (const ref of matches) {
        const match = state.matches.get(ref.matchId);
        if (match && match.state === "playing" && match.host === node) state.hosts.add(node, ref, until);
      }
      for (const ref of delivered) if (!state.matches.has(ref.matchId)) state.hosts.remove(node, ref.matchId);
    },

    async hostSet(game: string, node: string): Promise<string[]> {
      return state.hosts
        .of(node)
        .filter((ref) => ref.game === game)
        .map((ref) => ref.matchId);
    },

    async claimLapsedHosts(now: number, limit: number): Promise<LapsedMatch[]> {
      return state.hosts.claimLapsed(now, limit);
    },

    async saveSnapshots(game: string, node: string, snapshots: MatchSnapshotEntry[]): Promise<string[]> {
      const lost: string[] = [];
      for (const { matchId, snapshot, epoch, from = 0, inputs = [] } of snapshots) {
        const match = state.matches.get(matchId);
        if (!match || match.game !== game) continue;
        if (match.host !== undefined && (match.host !== node || (epoch !== undefined && (match.epoch ?? 1) !== epoch))) lost.push(matchId);
        else if (match.state === "playing") {
          const kept = state.snapshots.get(matchId) ?? { head: "", inputs: [], gap: false };
          kept.head = snapshot;
          if (kept.inputs.length < from) kept.gap = true;
          kept.inputs.push(...inputs.slice(Math.max(0, kept.inputs.length - from)));
          state.snapshots.set(matchId, kept);
        }
      }
      return lost;
    },

    async adoptMatch(game: string, matchId: string, node: string, from: string, until: number): Promise<Adoption | null> {
      const match = state.matches.get(matchId);
      if (!match) {
        state.hosts.remove(from, matchId);
        const finished = state.finished.get(matchId, Date.now());
        if (!finished?.end || finished.game !== game) return null;
        // The same numbers as the host's telling: a player it did reach is not told twice.
        const stamps = finished.players.map((playerId, seat) => {
          const node = state.players.get(key(game, playerId))?.node;
          return { seq: finished.seqs[seat]!, ...(node !== undefined ? { node } : {}) };
        }) as EndStamps;
        return { ended: { players: finished.players, end: finished.end, stamps } };
      }
      if (match.game !== game || match.state !== "playing" || match.host !== from) return null;
      const kept = state.snapshots.get(matchId);
      if (kept === undefined) return { match: state.copyOf(match) };
      state.hosts.remove(from, matchId);
      match.host = node;
      match.epoch = (match.epoch ?? 1) + 1;
      state.hosts.add(node, { game, matchId }, until);
      state.stampMatch(match);
      return { match: state.copyOf(match), snapshot: kept.head, inputs: [...kept.inputs], ...(kept.gap ? { truncated: true } : {}) };
    },
  };
}

/** Fencing (prelude.lua's `holds`): the claim still holds the running match. */
function holds(match: MatchRecord, claim: HostClaim): boolean {
  return match.state === "playing" && match.host === claim.host && (match.epoch ?? 1) === claim.epoch;
}

const claimText = (claim: HostClaim) => `${claim.host}/${claim.epoch}`;
