import { ArenaError, ErrorCode, type CancelReason, type PlayerId } from "../protocol/index.ts";
import { ratingWindow } from "./rating-window.ts";
import { SortedIndex } from "./sorted-index.ts";
import type { MatchmakingStore } from "./store.ts";
import type {
  Sweep,
  HostLease,
  MatchPointer,
  Cancellation,
  Departure,
  GameCounts,
  MatchPlayer,
  MatchRecord,
  PairingRules,
  Ticket,
  TicketRequest,
} from "./types.ts";

interface PlayerEntry {
  node?: string;
  generation: number;
  ticket?: string;
  match?: string;
}

interface Queue {
  byRating: SortedIndex;
  byAge: SortedIndex;
}

const key = (game: string, id: string) => `${game}|${id}`;

/**
 * The embedded single-node store: the same state and rules as `RedisStore`, kept in Maps.
 * Every method runs to completion without awaiting, which makes it as atomic as a Redis script.
 */
export class MemoryStore implements MatchmakingStore {
  private readonly nodes = new Map<string, number>();
  private readonly nodePlayers = new Map<string, Set<string>>();
  private readonly players = new Map<string, PlayerEntry>();
  private readonly tickets = new Map<string, Ticket>();
  private readonly queues = new Map<string, Queue>();
  private readonly gameModes = new Map<string, Set<string>>();
  private readonly matches = new Map<string, MatchRecord>();
  private readonly readyChecks = new Map<string, SortedIndex>();
  private readonly matchesByGame = new Map<string, Set<string>>();
  private readonly online = new Map<string, Set<string>>();
  private readonly ratings = new Map<string, number>();
  private readonly leases = new SortedIndex();
  private readonly leaseUntil = new Map<string, number>();

  private setOf<K, V>(map: Map<K, Set<V>>, k: K): Set<V> {
    let set = map.get(k);
    if (!set) map.set(k, (set = new Set()));
    return set;
  }

  private queue(game: string, mode: string): Queue {
    let queue = this.queues.get(key(game, mode));
    if (!queue) this.queues.set(key(game, mode), (queue = { byRating: new SortedIndex(), byAge: new SortedIndex() }));
    return queue;
  }

  private readyIndex(game: string): SortedIndex {
    let index = this.readyChecks.get(game);
    if (!index) this.readyChecks.set(game, (index = new SortedIndex()));
    return index;
  }

  private alive(ticket: Ticket, now: number, ttlMs: number): boolean {
    const node = this.players.get(key(ticket.game, ticket.playerId))?.node;
    if (node === undefined) return false;
    const seen = this.nodes.get(node);
    return seen !== undefined && seen >= now - ttlMs;
  }

  private addTicket(ticket: Ticket): void {
    this.tickets.set(ticket.ticketId, ticket);
    const queue = this.queue(ticket.game, ticket.mode);
    queue.byRating.add(ticket.rating, ticket.ticketId);
    queue.byAge.add(ticket.enqueuedAt, ticket.ticketId);
    this.setOf(this.gameModes, ticket.game).add(ticket.mode);
    const player = this.players.get(key(ticket.game, ticket.playerId));
    if (player) player.ticket = ticket.ticketId;
  }

  private removeTicket(ticketId: string): Ticket | undefined {
    const ticket = this.tickets.get(ticketId);
    if (!ticket) return undefined;
    this.tickets.delete(ticketId);
    const queue = this.queue(ticket.game, ticket.mode);
    queue.byRating.remove(ticket.rating, ticketId);
    queue.byAge.remove(ticket.enqueuedAt, ticketId);
    const player = this.players.get(key(ticket.game, ticket.playerId));
    if (player?.ticket === ticketId) delete player.ticket;
    return ticket;
  }

  private forgetIfIdle(game: string, playerId: string): void {
    const k = key(game, playerId);
    const player = this.players.get(k);
    if (player && player.node === undefined && player.ticket === undefined && player.match === undefined) this.players.delete(k);
  }

  private detach(game: string, playerId: string, player: PlayerEntry): void {
    if (player.node !== undefined) this.nodePlayers.get(player.node)?.delete(key(game, playerId));
    delete player.node;
    this.online.get(game)?.delete(playerId);
  }

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

  async openSession(game: string, playerId: PlayerId, node: string, generation: number, now: number): Promise<MatchPointer | null> {
    this.nodes.set(node, Math.max(now, this.nodes.get(node) ?? -Infinity));
    const k = key(game, playerId);
    let player = this.players.get(k);
    if (!player) this.players.set(k, (player = { generation: 0 }));
    if (player.generation > generation) return null;
    if (player.node !== undefined && player.node !== node) this.nodePlayers.get(player.node)?.delete(k);
    player.node = node;
    player.generation = generation;
    this.setOf(this.nodePlayers, node).add(k);
    this.setOf(this.online, game).add(playerId);
    const match = player.match ? this.matches.get(player.match) : undefined;
    return match ? { matchId: match.matchId, state: match.state, ...(match.host ? { host: match.host } : {}) } : null;
  }

  async sessionNode(game: string, playerId: PlayerId): Promise<string | null> {
    return this.players.get(key(game, playerId))?.node ?? null;
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

  async enqueue(request: TicketRequest, now: number, defaultRating: number): Promise<Ticket> {
    const k = key(request.game, request.playerId);
    let player = this.players.get(k);
    if (player?.match) throw new ArenaError(ErrorCode.ALREADY_IN_MATCH, "already in a match of this game");
    if (player?.ticket) throw new ArenaError(ErrorCode.ALREADY_QUEUED, "already queued for this game");
    if (!player) this.players.set(k, (player = { generation: 0 }));
    const ticket: Ticket = {
      ...request,
      rating: this.ratings.get(k) ?? defaultRating,
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
    const starts = focusTicketId !== undefined ? [focusTicketId] : queue.byAge.first(rules.scanOldest);
    const limit = Math.min(rules.maxPairsPerPass, matchIds.length);
    const used = new Set<string>();
    const made: MatchRecord[] = [];
    for (const a of starts) {
      if (made.length >= limit) break;
      const ta = this.tickets.get(a);
      if (used.has(a) || !ta || ta.game !== game || ta.mode !== mode || !this.alive(ta, now, rules.ticketTtlMs)) continue;
      const wa = ratingWindow(rules, now - ta.enqueuedAt);
      const candidates = new Set([
        ...queue.byRating.rangeUp(ta.rating, ta.rating + wa, rules.scanCandidates),
        ...queue.byRating.rangeDown(ta.rating, ta.rating - wa, rules.scanCandidates),
      ]);
      let best: Ticket | undefined;
      let bestDistance = Infinity;
      for (const c of candidates) {
        if (c === a || used.has(c)) continue;
        const tc = this.tickets.get(c)!;
        const distance = Math.abs(ta.rating - tc.rating);
        const better =
          !best ||
          distance < bestDistance ||
          (distance === bestDistance && (tc.enqueuedAt < best.enqueuedAt || (tc.enqueuedAt === best.enqueuedAt && tc.ticketId < best.ticketId)));
        if (better && distance <= ratingWindow(rules, now - tc.enqueuedAt) && this.alive(tc, now, rules.ticketTtlMs)) {
          best = tc;
          bestDistance = distance;
        }
      }
      if (!best) continue;
      used.add(a).add(best.ticketId);
      made.push(this.createMatch(matchIds[made.length]!, ta, best, now, rules.readyTimeoutMs));
    }
    return made;
  }

  private createMatch(matchId: string, a: Ticket, b: Ticket, now: number, readyTimeoutMs: number): MatchRecord {
    const [first, second] = a.enqueuedAt < b.enqueuedAt || (a.enqueuedAt === b.enqueuedAt && a.ticketId < b.ticketId) ? [a, b] : [b, a];
    const seat = (t: Ticket): MatchPlayer => ({
      playerId: t.playerId,
      name: t.name,
      rating: t.rating,
      ticketId: t.ticketId,
      enqueuedAt: t.enqueuedAt,
      ready: false,
    });
    const match: MatchRecord = {
      matchId,
      game: a.game,
      mode: a.mode,
      state: "ready_check",
      players: [seat(first), seat(second)],
      createdAt: now,
      readyBy: now + readyTimeoutMs,
    };
    for (const t of [first, second]) {
      this.removeTicket(t.ticketId);
      this.players.get(key(t.game, t.playerId))!.match = matchId;
    }
    this.matches.set(matchId, match);
    this.readyIndex(a.game).add(match.readyBy, matchId);
    this.setOf(this.matchesByGame, a.game).add(matchId);
    return structuredClone(match);
  }

  async getMatch(game: string, matchId: string): Promise<MatchRecord | null> {
    const match = this.matches.get(matchId);
    return match && match.game === game ? structuredClone(match) : null;
  }

  async markReady(game: string, matchId: string, playerId: PlayerId, host: HostLease): Promise<{ match: MatchRecord; started: boolean }> {
    const match = this.matches.get(matchId);
    if (!match || match.game !== game) throw new ArenaError(ErrorCode.UNKNOWN_MATCH, "no such match");
    const seat = match.players.findIndex((p) => p.playerId === playerId);
    if (seat < 0) throw new ArenaError(ErrorCode.NOT_IN_MATCH, "not a player of this match");
    if (match.state !== "ready_check") return { match: structuredClone(match), started: false };
    match.players[seat]!.ready = true;
    const started = match.players.every((p) => p.ready);
    if (started) {
      match.state = "playing";
      match.host = host.node;
      this.readyIndex(game).remove(match.readyBy, matchId);
      this.leases.add(host.now + host.leaseMs, `${game}|${matchId}`);
      this.leaseUntil.set(matchId, host.now + host.leaseMs);
    }
    return { match: structuredClone(match), started };
  }

  async overdueReadyChecks(game: string, now: number, limit: number): Promise<string[]> {
    return this.readyIndex(game).rangeUp(-Infinity, now, limit);
  }

  async cancelReadyCheck(game: string, matchId: string, reason: CancelReason, leaver?: PlayerId): Promise<Cancellation | null> {
    const match = this.matches.get(matchId);
    if (!match || match.game !== game || match.state !== "ready_check") return null;
    this.dropMatch(match);
    const seats = match.players.map((p, seat) => {
      const requeued = p.ready && p.playerId !== leaver && this.players.get(key(game, p.playerId))?.node !== undefined;
      if (requeued) {
        this.addTicket({ ticketId: p.ticketId, playerId: p.playerId, name: p.name, game, mode: match.mode, rating: p.rating, enqueuedAt: p.enqueuedAt });
      } else {
        this.forgetIfIdle(game, p.playerId);
      }
      return { playerId: p.playerId, seat: seat as 0 | 1, ticketId: p.ticketId, requeued };
    });
    return { matchId, game, reason, seats };
  }

  private dropMatch(match: MatchRecord): void {
    this.matches.delete(match.matchId);
    const lease = this.leaseUntil.get(match.matchId);
    if (lease !== undefined) this.leases.remove(lease, `${match.game}|${match.matchId}`);
    this.leaseUntil.delete(match.matchId);
    this.readyIndex(match.game).remove(match.readyBy, match.matchId);
    this.matchesByGame.get(match.game)?.delete(match.matchId);
    for (const p of match.players) {
      const player = this.players.get(key(match.game, p.playerId));
      if (player?.match === match.matchId) delete player.match;
    }
  }

  async endMatch(game: string, matchId: string): Promise<boolean> {
    const match = this.matches.get(matchId);
    if (!match || match.game !== game) return false;
    this.dropMatch(match);
    for (const p of match.players) this.forgetIfIdle(game, p.playerId);
    return true;
  }

  async renewLeases(matchIds: string[], until: number): Promise<void> {
    for (const matchId of matchIds) {
      const match = this.matches.get(matchId);
      if (!match || match.state !== "playing") continue;
      const member = `${match.game}|${matchId}`;
      const old = this.leaseUntil.get(matchId);
      if (old !== undefined) this.leases.remove(old, member);
      this.leases.add(until, member);
      this.leaseUntil.set(matchId, until);
    }
  }

  async claimExpiredLeases(now: number, limit: number): Promise<{ game: string; matchId: string }[]> {
    const claimed = [];
    for (const member of this.leases.rangeUp(-Infinity, now, limit)) {
      const cut = member.indexOf("|");
      const matchId = member.slice(cut + 1);
      this.leases.remove(this.leaseUntil.get(matchId) ?? -1, member);
      this.leaseUntil.delete(matchId);
      claimed.push({ game: member.slice(0, cut), matchId });
    }
    return claimed;
  }

  async getRating(game: string, playerId: PlayerId, defaultRating: number): Promise<number> {
    return this.ratings.get(key(game, playerId)) ?? defaultRating;
  }

  async setRatings(game: string, ratings: Record<PlayerId, number>): Promise<void> {
    for (const [playerId, rating] of Object.entries(ratings)) this.ratings.set(key(game, playerId), rating);
  }

  async counts(game: string): Promise<GameCounts> {
    let queued = 0;
    for (const mode of this.gameModes.get(game) ?? []) queued += this.queues.get(key(game, mode))?.byAge.size ?? 0;
    return { queued, matches: this.matchesByGame.get(game)?.size ?? 0, players: this.online.get(game)?.size ?? 0 };
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
