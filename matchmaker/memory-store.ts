import { ArenaError, ErrorCode, isGuest, type CancelReason, type PlayerId } from "../protocol/index.ts";
import { findPairs } from "./memory-pairing.ts";
import { DEFAULT_REGION } from "./meeting-region.ts";
import { MemoryLobbyState } from "./memory-lobby.ts";
import { key } from "./memory-state.ts";
import type { Adoption, EndStamps, Finished, MatchEnding, MatchmakingStore, MatchResult, MatchSnapshotEntry } from "./store.ts";
import type {
  LapsedMatch,
  NodeInfo,
  SessionOpened,
  Sweep,
  HostLease,
  MatchRef,
  Cancellation,
  Departure,
  GameCounts,
  MatchRecord,
  PairingRules,
  Rated,
  Ticket,
  TicketRequest,
  HostClaim,
} from "./types.ts";

/**
 * The embedded single-node store: the same state and rules as `RedisStore`, kept in Maps.
 * Every method runs to completion without awaiting, which makes it as atomic as a Redis script.
 */
export class MemoryStore extends MemoryLobbyState implements MatchmakingStore {
  async heartbeat(node: string, now: number): Promise<void> {
    this.nodes.set(node, now);
  }

  async sweepDeadNodes(now: number, ttlMs: number): Promise<Sweep> {
    const expired: Ticket[] = [];
    const orphans: Sweep["orphans"] = [];
    for (const [node, seen] of this.nodes) {
      if (seen >= now - ttlMs) continue;
      for (const member of this.nodePlayers.get(node) ?? []) {
        const cut = member.indexOf("|");
        const game = member.slice(0, cut);
        const playerId = member.slice(cut + 1);
        const player = this.players.get(member);
        if (!player || player.node !== node) continue;
        if (player.ticket) {
          const ticket = this.removeTicket(player.ticket);
          if (ticket) expired.push(ticket);
        }
        if (player.match) orphans.push({ game, playerId, matchId: player.match });
        this.detach(game, playerId, player);
        this.forgetIfIdle(game, playerId);
      }
      this.nodePlayers.delete(node);
      this.nodes.delete(node);
    }
    return { expired, orphans };
  }

  async openSession(game: string, playerId: PlayerId, node: string, generation: number, now: number, name = playerId): Promise<SessionOpened> {
    this.nodes.set(node, Math.max(now, this.nodes.get(node) ?? -Infinity));
    const k = key(game, playerId);
    let player = this.players.get(k);
    if (!player) this.players.set(k, (player = { generation: 0 }));
    if (player.generation > generation) return { match: null, stale: true, seq: this.lastStamp(game, playerId) };
    const replaced = player.node !== undefined && player.node !== node ? player.node : undefined;
    if (replaced !== undefined) this.nodePlayers.get(replaced)?.delete(k);
    player.node = node;
    player.generation = generation;
    player.name = name;
    this.setOf(this.nodePlayers, node).add(k);
    this.lobbyOf(game).add(playerId);
    const match = player.match ? this.matches.get(player.match) : undefined;
    const pointer = match ? { matchId: match.matchId, state: match.state, ...(match.host ? { host: match.host } : {}) } : null;
    return { match: pointer, ...(replaced !== undefined ? { replaced } : {}), seq: this.lastStamp(game, playerId) };
  }

  private readonly nodeInfos = new Map<string, NodeInfo>();

  async describeNode(node: string, info: NodeInfo): Promise<void> {
    this.nodeInfos.set(node, info);
  }

  async liveNodes(now: number, ttlMs: number): Promise<(NodeInfo & { node: string })[]> {
    return [...this.nodes].flatMap(([node, seen]) => {
      const info = this.nodeInfos.get(node);
      return seen >= now - ttlMs && info ? [{ node, ...info }] : [];
    });
  }

  async describedNodes(): Promise<(NodeInfo & { node: string })[]> {
    return [...this.nodeInfos].map(([node, info]) => ({ node, ...info }));
  }

  async nodeInfo(node: string): Promise<NodeInfo | null> {
    return this.nodeInfos.get(node) ?? null;
  }

  async sessionNode(game: string, playerId: PlayerId): Promise<string | null> {
    return this.players.get(key(game, playerId))?.node ?? null;
  }

  async stampAges(game: string, playerId: PlayerId, after: number, before: number): Promise<number[]> {
    return this.stampAgesOf(game, playerId, after, before);
  }

  async closeSession(game: string, playerId: PlayerId, generation: number): Promise<Departure | null> {
    const player = this.players.get(key(game, playerId));
    if (!player || player.generation !== generation || player.node === undefined) return null;
    const departure: Departure = { ticket: false };
    if (player.ticket) {
      departure.ticketId = player.ticket;
      departure.ticket = Boolean(this.removeTicket(player.ticket));
    }
    if (player.match) {
      const match = this.matches.get(player.match);
      if (match) departure.match = { matchId: match.matchId, state: match.state };
    }
    this.detach(game, playerId, player);
    this.forgetIfIdle(game, playerId);
    return departure;
  }

  async enqueue(request: TicketRequest, now: number, initial: Rated): Promise<Ticket> {
    const k = key(request.game, request.playerId);
    let player = this.players.get(k);
    if (player?.match) throw new ArenaError(ErrorCode.ALREADY_IN_MATCH, "already in a match of this game");
    if (player?.ticket) throw new ArenaError(ErrorCode.ALREADY_QUEUED, "already queued for this game");
    if (!player) this.players.set(k, (player = { generation: 0 }));
    const ticket: Ticket = {
      ...request,
      ...this.ratingOf(request.game, request.mode, request.playerId, initial),
      enqueuedAt: now,
    };
    this.addTicket(ticket);
    return ticket;
  }

  async dequeue(game: string, playerId: PlayerId): Promise<Departure> {
    const player = this.players.get(key(game, playerId));
    if (!player) return { ticket: false };
    if (player.ticket) {
      const ticketId = player.ticket;
      this.removeTicket(ticketId);
      this.forgetIfIdle(game, playerId);
      return { ticket: true, ticketId };
    }
    const match = player.match ? this.matches.get(player.match) : undefined;
    return match ? { ticket: false, match: { matchId: match.matchId, state: match.state } } : { ticket: false };
  }

  async modes(game: string): Promise<string[]> {
    return [...(this.gameModes.get(game) ?? [])];
  }

  async pair(game: string, mode: string, now: number, rules: PairingRules, matchIds: string[], focusTicketId?: string): Promise<MatchRecord[]> {
    const queue = this.queues.get(key(game, mode));
    if (!queue) return [];
    const regionOf = (node: string) => this.nodeInfos.get(node)?.region ?? DEFAULT_REGION;
    const view = {
      starts: focusTicketId !== undefined ? [focusTicketId] : queue.byAge.first(rules.scanOldest),
      byRating: queue.byRating,
      ticket: (id: string) => this.tickets.get(id),
      alive: (ticket: Ticket) => this.alive(ticket, now, rules.ticketTtlMs),
      nodeOf: (ticket: Ticket) => this.players.get(key(game, ticket.playerId))?.node ?? "",
      regions: {
        regionOf,
        liveNodesIn: (region: string) =>
          [...this.nodes]
            .filter(([node, seen]) => seen >= now - rules.ticketTtlMs && regionOf(node) === region)
            .map(([node]) => node)
            .sort(),
      },
    };
    const pairs = findPairs(view, game, mode, now, rules, Math.min(rules.maxPairsPerPass, matchIds.length));
    return pairs.map(({ first, second, meeting }, i) => this.createMatch(matchIds[i]!, first, second, now, rules.readyTimeoutMs, meeting));
  }

  private readonly matchers = new Map<string, { node: string; until: number }>();

  async claimMatcher(game: string, mode: string, node: string, now: number, ttlMs: number): Promise<boolean> {
    const k = key(game, mode);
    const lease = this.matchers.get(k);
    if (lease && lease.node !== node && lease.until > now) return false;
    this.matchers.set(k, { node, until: now + ttlMs });
    return true;
  }

  async getMatch(game: string, matchId: string): Promise<MatchRecord | null> {
    const match = this.matches.get(matchId);
    return match && match.game === game ? this.copyOf(match) : null;
  }

  async markReady(game: string, matchId: string, playerId: PlayerId, host: HostLease): Promise<{ match: MatchRecord; started: boolean }> {
    const match = this.matches.get(matchId);
    if (!match || match.game !== game) throw new ArenaError(ErrorCode.UNKNOWN_MATCH, "no such match");
    const seat = match.players.findIndex((p) => p.playerId === playerId);
    if (seat < 0) throw new ArenaError(ErrorCode.NOT_IN_MATCH, "not a player of this match");
    if (match.state !== "ready_check") return { match: this.copyOf(match), started: false };
    match.players[seat]!.ready = true;
    const started = match.players.every((p) => p.ready);
    if (started) {
      match.state = "playing";
      match.host ??= host.node;
      match.startedAt = host.now;
      match.epoch = 1;
      this.readyIndex(game).remove(match.readyBy, matchId);
      this.hosts.add(match.host, { game, matchId }, host.now + host.leaseMs);
      this.stampMatch(match);
    }
    return { match: this.copyOf(match), started };
  }

  async overdueReadyChecks(game: string, now: number, limit: number): Promise<string[]> {
    return this.readyIndex(game).rangeUp(-Infinity, now, limit);
  }

  async cancelReadyCheck(game: string, matchId: string, reason: CancelReason, leaver?: PlayerId): Promise<Cancellation | null> {
    const match = this.matches.get(matchId);
    if (!match || match.game !== game || match.state !== "ready_check") return null;
    this.dropMatch(match);
    const seats = match.players.map((p, seat) => {
      const stamp = this.stamp(game, p.playerId);
      // A match made without a queue (a challenge, a code, a rematch) has no tickets to put back.
      const requeued = p.ready && p.playerId !== leaver && p.ticketId !== "" && this.players.get(key(game, p.playerId))?.node !== undefined;
      if (requeued) {
        this.addTicket({
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
        this.forgetIfIdle(game, p.playerId);
      }
      return { playerId: p.playerId, seat: seat as 0 | 1, ticketId: p.ticketId, requeued, stamp };
    });
    return { matchId, game, reason, seats };
  }

  async endMatch(game: string, matchId: string, ending?: MatchEnding): Promise<EndStamps | null> {
    const match = this.matches.get(matchId);
    if (!match || match.game !== game) return null;
    if (ending?.claim && !holds(match, ending.claim)) return null;
    return this.finishRecord(match, ending, "ended");
  }

  async finishMatch(game: string, result: MatchResult): Promise<Finished> {
    const match = this.matches.get(result.matchId);
    if (!match || match.game !== game) {
      const ended = this.finished.get(result.matchId, Date.now());
      return { outcome: !ended ? "unknown" : ended.by === claimText(result.claim) ? "already" : "refused" };
    }
    if (!holds(match, result.claim)) return { outcome: "refused" };
    if (result.ratings) await this.setRatings(game, result.mode, result.ratings, result.guestTtlMs);
    const stamps = this.finishRecord(match, { end: result.end, host: result.claim.host }, claimText(result.claim));
    await this.archiveMatch(game, result.archive, result.guestTtlMs);
    return { outcome: "recorded", stamps };
  }

  /** The end of a match (end-match.lua's `finish_match`): players freed and stamped, the end kept a minute. */
  private finishRecord(match: MatchRecord, ending: MatchEnding | undefined, by: string): EndStamps {
    const { game, matchId } = match;
    this.dropMatch(match);
    const stamps: EndStamps = [this.stamp(game, match.players[0].playerId), this.stamp(game, match.players[1].playerId)];
    for (const p of match.players) this.forgetIfIdle(game, p.playerId);
    const now = Date.now();
    const seqs = stamps.map((s) => s.seq);
    this.finished.add(
      matchId,
      { game, players: match.players.map((p) => p.playerId), mode: match.mode, end: ending?.end, endedAt: now, asked: new Set(), by, seqs },
      now,
    );
    // A host's own end stays in its set until it confirms telling the players (renewHost).
    if (ending?.host !== undefined) this.hosts.add(ending.host, { game, matchId }, -Infinity);
    return stamps;
  }

  async renewHost(node: string, until: number, matches: MatchRef[] = [], delivered: MatchRef[] = []): Promise<void> {
    this.hosts.renew(node, until);
    for (const ref of matches) {
      const match = this.matches.get(ref.matchId);
      if (match && match.state === "playing" && match.host === node) this.hosts.add(node, ref, until);
    }
    for (const ref of delivered) if (!this.matches.has(ref.matchId)) this.hosts.remove(node, ref.matchId);
  }

  async hostSet(game: string, node: string): Promise<string[]> {
    return this.hosts
      .of(node)
      .filter((ref) => ref.game === game)
      .map((ref) => ref.matchId);
  }

  async claimLapsedHosts(now: number, limit: number): Promise<LapsedMatch[]> {
    return this.hosts.claimLapsed(now, limit);
  }

  async saveSnapshots(game: string, node: string, snapshots: MatchSnapshotEntry[]): Promise<string[]> {
    const lost: string[] = [];
    for (const { matchId, snapshot, epoch, from = 0, inputs = [] } of snapshots) {
      const match = this.matches.get(matchId);
      if (!match || match.game !== game) continue;
      if (match.host !== undefined && (match.host !== node || (epoch !== undefined && (match.epoch ?? 1) !== epoch))) lost.push(matchId);
      else if (match.state === "playing") {
        const kept = this.snapshots.get(matchId) ?? { head: "", inputs: [], gap: false };
        kept.head = snapshot;
        if (kept.inputs.length < from) kept.gap = true;
        kept.inputs.push(...inputs.slice(Math.max(0, kept.inputs.length - from)));
        this.snapshots.set(matchId, kept);
      }
    }
    return lost;
  }

  async adoptMatch(game: string, matchId: string, node: string, from: string, until: number): Promise<Adoption | null> {
    const match = this.matches.get(matchId);
    if (!match) {
      this.hosts.remove(from, matchId);
      const finished = this.finished.get(matchId, Date.now());
      if (!finished?.end || finished.game !== game) return null;
      // The same numbers as the host's telling: a player it did reach is not told twice.
      const stamps = finished.players.map((playerId, seat) => {
        const node = this.players.get(key(game, playerId))?.node;
        return { seq: finished.seqs[seat]!, ...(node !== undefined ? { node } : {}) };
      }) as EndStamps;
      return { ended: { players: finished.players, end: finished.end, stamps } };
    }
    if (match.game !== game || match.state !== "playing" || match.host !== from) return null;
    const kept = this.snapshots.get(matchId);
    if (kept === undefined) return { match: this.copyOf(match) };
    this.hosts.remove(from, matchId);
    match.host = node;
    match.epoch = (match.epoch ?? 1) + 1;
    this.hosts.add(node, { game, matchId }, until);
    this.stampMatch(match);
    return { match: this.copyOf(match), snapshot: kept.head, inputs: [...kept.inputs], ...(kept.gap ? { truncated: true } : {}) };
  }

  async getRating(game: string, mode: string, playerId: PlayerId, initial: Rated): Promise<Rated> {
    return this.ratingOf(game, mode, playerId, initial);
  }

  async setRatings(game: string, mode: string, ratings: Record<PlayerId, Rated>, guestTtlMs: number): Promise<void> {
    for (const [playerId, rating] of Object.entries(ratings)) {
      const k = key(game, `${mode}|${playerId}`);
      if (isGuest(playerId)) this.guestRatings.add(k, { ...rating }, Date.now(), guestTtlMs);
      else this.ratings.set(k, { ...rating });
    }
  }

  async counts(game: string): Promise<GameCounts> {
    let queued = 0;
    for (const mode of this.gameModes.get(game) ?? []) queued += this.queues.get(key(game, mode))?.byAge.size ?? 0;
    return { queued, matches: this.matchesByGame.get(game)?.size ?? 0, players: this.lobby.get(game)?.size ?? 0 };
  }

  async recentWaits(game: string): Promise<number[]> {
    return [...(this.waits.get(game) ?? [])];
  }

  async queueSizes(game: string): Promise<Record<string, number>> {
    const modes = [...(this.gameModes.get(game) ?? [])];
    return Object.fromEntries(modes.map((mode) => [mode, this.queues.get(key(game, mode))?.byAge.size ?? 0]));
  }

  private storeEpoch: string | undefined;

  async epoch(candidate: string): Promise<string> {
    this.storeEpoch ??= candidate;
    return this.storeEpoch;
  }

  async close(): Promise<void> {}
}

/** Fencing (prelude.lua's `holds`): the claim still holds the running match. */
function holds(match: MatchRecord, claim: HostClaim): boolean {
  return match.state === "playing" && match.host === claim.host && (match.epoch ?? 1) === claim.epoch;
}

const claimText = (claim: HostClaim) => `${claim.host}/${claim.epoch}`;
