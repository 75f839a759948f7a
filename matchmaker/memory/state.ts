import { HostIndex } from "../host-index.ts";
import { SortedIndex } from "../sorted-index.ts";
import { isGuest, type HistoryEntry, type MatchEnd, type PlayerId } from "../../protocol/index.ts";
import { HISTORY_TTL_MS, type MatchArchive } from "../store.ts";
import { ExpiringMap } from "../expiring-map.ts";
import { LexSet } from "../lex-set.ts";
import type { Meeting } from "../meeting-region.ts";
import type { MatchPlayer, MatchRecord, NodeInfo, Rated, Stamp, Ticket } from "../types.ts";

/** How long a player's sequence numbers are kept after their last stamp (lua/prelude.lua's PLAYER_TTL_MS). */
const SEQUENCE_TTL_MS = 7 * 86_400_000;
/** The stamps whose time is kept per player (prelude's STAMPS_KEPT). */
const STAMPS_KEPT = 16;

/** A player's event sequence numbers: the last one stamped, and when the last few were. */
interface Sequence {
  last: number;
  at: Map<number, number>;
}

/** A match that ended a moment ago. */
export interface FinishedMatch {
  game: string;
  players: PlayerId[];
  mode: string;
  end?: MatchEnd;
  endedAt: number;
  /** Players who asked for a rematch. */
  asked: Set<PlayerId>;
  /** The host claim that recorded its end (`host/epoch`), or `ended` for an end by another way. */
  by?: string;
  /** The players' sequence numbers for its end, in seat order. */
  seqs: number[];
}

interface PlayerEntry {
  node?: string;
  name?: string;
  generation: number;
  ticket?: string;
  match?: string;
}

interface Queue {
  byRating: SortedIndex;
  byAge: SortedIndex;
}

export const key = (game: string, id: string) => `${game}|${id}`;

/**
 * The memory store's state and the invariants that tie its maps together (a ticket is in its queue's
 * indexes and on its player; a match is in its game's sets and on its players). The operations
 * are the role objects of `memory/` (composed by `memoryStore`).
 */
export class MemoryState {
  /** `replayBytes`: what replays may take (`REPLAY_MEMORY_MB`, 256 MB by default). */
  constructor(replayBytes = 256 * 1024 * 1024) {
    this.replays = new ExpiringMap<string>(86_400_000, { max: replayBytes, weigh: (json) => json.length });
  }

  readonly nodes = new Map<string, number>();
  readonly nodePlayers = new Map<string, Set<string>>();
  readonly players = new Map<string, PlayerEntry>();
  readonly tickets = new Map<string, Ticket>();
  readonly queues = new Map<string, Queue>();
  readonly gameModes = new Map<string, Set<string>>();
  readonly matches = new Map<string, MatchRecord>();
  /** Ended matches, kept a minute: who played, the mode, and how it ended. */
  readonly finished = new ExpiringMap<FinishedMatch>(60_000);
  /** Each game's last 200 waits of paired players (ms), newest first. */
  readonly waits = new Map<string, number[]>();
  /** Challenges and private codes, by `<game>|<key>`, each with its own lifetime. */
  readonly offers = new ExpiringMap<string>(600_000);
  /**
   * Finished matches' replays, as JSON (one string each: no object graph for the collector to
   * mark, and a reader gets its own copy, as from Redis), within `replayBytes` (the oldest go
   * first); each player's last 20 matches, leaderboards by `<game>|<mode>`, spectator counts.
   */
  readonly replays: ExpiringMap<string>;
  readonly histories = new ExpiringMap<HistoryEntry[]>(HISTORY_TTL_MS);
  readonly boards = new Map<string, Map<PlayerId, { name: string; rating: number; matches: number }>>();
  readonly spectators = new Map<string, number>();
  /** Each running match's latest snapshot, by match id (dropped with the match). */
  /** Running matches' latest snapshots, with the replay's inputs appended so far (`gap`: some were lost). */
  readonly snapshots = new Map<string, { head: string; inputs: string[]; gap: boolean }>();
  readonly readyChecks = new Map<string, SortedIndex>();
  readonly matchesByGame = new Map<string, Set<string>>();
  /** Who is online in each game, in playerId order. */
  readonly lobby = new Map<string, LexSet>();
  /** Ratings by `<game>|<mode>|<playerId>`; guests' in `guestRatings`, which expire. */
  readonly ratings = new Map<string, Rated>();
  readonly guestRatings = new ExpiringMap<Rated>(86_400_000);
  /** How clients reach each node, as it described itself. */
  readonly nodeInfos = new Map<string, NodeInfo>();
  /** Each player's event sequence numbers, by `<game>|<playerId>`. */
  readonly sequences = new ExpiringMap<Sequence>(SEQUENCE_TTL_MS);

  /** The player's next sequence number, for one event about their place (prelude's `stamp`), and their node. */
  stamp(game: string, playerId: PlayerId): Stamp {
    const k = key(game, playerId);
    const now = Date.now();
    this.lastStamp(game, playerId);
    const sequence = this.sequences.get(k, now)!;
    sequence.last++;
    sequence.at.set(sequence.last, now);
    sequence.at.delete(sequence.last - STAMPS_KEPT);
    this.sequences.add(k, sequence, now);
    const node = this.players.get(k)?.node;
    return node === undefined ? { seq: sequence.last } : { seq: sequence.last, node };
  }

  /**
   * The last number stamped for the player; a player without numbers starts at the clock in
   * seconds times 1000 (prelude's `last_stamp`). Kept 7 days more: a connection counts on them.
   */
  lastStamp(game: string, playerId: PlayerId): number {
    const k = key(game, playerId);
    const now = Date.now();
    const sequence = this.sequences.get(k, now) ?? { last: Math.floor(now / 1000) * 1000, at: new Map<number, number>() };
    this.sequences.add(k, sequence, now);
    return sequence.last;
  }

  /** How long ago each of the player's kept numbers strictly between `after` and `before` was stamped. */
  stampAgesOf(game: string, playerId: PlayerId, after: number, before: number): number[] {
    const now = Date.now();
    const at = this.sequences.get(key(game, playerId), now)?.at ?? new Map<number, number>();
    return [...at].filter(([seq]) => seq > after && seq < before).map(([, stamped]) => now - stamped);
  }

  /** Stamps both players for the event about a match that the caller announces (found, start, resumed). */
  stampMatch(match: MatchRecord): void {
    match.stamps = [this.stamp(match.game, match.players[0].playerId), this.stamp(match.game, match.players[1].playerId)];
  }

  /** A copy of a match record for a caller, its stamps naming each player's node now. */
  copyOf(match: MatchRecord): MatchRecord {
    const copy = structuredClone(match);
    copy.stamps?.forEach((stamp, seat) => {
      const node = this.players.get(key(match.game, match.players[seat]!.playerId))?.node;
      if (node === undefined) delete stamp.node;
      else stamp.node = node;
    });
    return copy;
  }

  /** A player's rating in a game and mode, or `initial`. */
  ratingOf(game: string, mode: string, playerId: PlayerId, initial: Rated): Rated {
    const k = key(game, `${mode}|${playerId}`);
    return (isGuest(playerId) ? this.guestRatings.get(k, Date.now()) : this.ratings.get(k)) ?? initial;
  }
  readonly hosts = new HostIndex();

  setOf<K, V>(map: Map<K, Set<V>>, k: K): Set<V> {
    let set = map.get(k);
    if (!set) map.set(k, (set = new Set()));
    return set;
  }

  queue(game: string, mode: string): Queue {
    let queue = this.queues.get(key(game, mode));
    if (!queue) this.queues.set(key(game, mode), (queue = { byRating: new SortedIndex(), byAge: new SortedIndex() }));
    return queue;
  }

  readyIndex(game: string): SortedIndex {
    let index = this.readyChecks.get(game);
    if (!index) this.readyChecks.set(game, (index = new SortedIndex()));
    return index;
  }

  alive(ticket: Ticket, now: number, ttlMs: number): boolean {
    const node = this.players.get(key(ticket.game, ticket.playerId))?.node;
    if (node === undefined) return false;
    const seen = this.nodes.get(node);
    return seen !== undefined && seen >= now - ttlMs;
  }

  addTicket(ticket: Ticket): void {
    this.tickets.set(ticket.ticketId, ticket);
    const queue = this.queue(ticket.game, ticket.mode);
    queue.byRating.add(ticket.mu, ticket.ticketId);
    queue.byAge.add(ticket.enqueuedAt, ticket.ticketId);
    this.setOf(this.gameModes, ticket.game).add(ticket.mode);
    const player = this.players.get(key(ticket.game, ticket.playerId));
    if (player) player.ticket = ticket.ticketId;
  }

  removeTicket(ticketId: string): Ticket | undefined {
    const ticket = this.tickets.get(ticketId);
    if (!ticket) return undefined;
    this.tickets.delete(ticketId);
    const queue = this.queue(ticket.game, ticket.mode);
    queue.byRating.remove(ticket.mu, ticketId);
    queue.byAge.remove(ticket.enqueuedAt, ticketId);
    const player = this.players.get(key(ticket.game, ticket.playerId));
    if (player?.ticket === ticketId) delete player.ticket;
    return ticket;
  }

  forgetIfIdle(game: string, playerId: string): void {
    const k = key(game, playerId);
    const player = this.players.get(k);
    if (player?.node !== undefined || player?.ticket !== undefined || player?.match !== undefined) return;
    this.players.delete(k);
    // Their event numbers too: no connection counts on them; a new one starts later, and higher.
    this.sequences.delete(k);
  }

  detach(game: string, playerId: string, player: PlayerEntry): void {
    if (player.node !== undefined) this.nodePlayers.get(player.node)?.delete(key(game, playerId));
    delete player.node;
    this.lobby.get(game)?.delete(playerId);
  }

  /** A ready check for two tickets, the older first. */
  createMatch(matchId: string, first: Ticket, second: Ticket, now: number, readyTimeoutMs: number, meeting?: Meeting): MatchRecord {
    const { game, mode } = first;
    const seat = (t: Ticket): MatchPlayer => ({
      playerId: t.playerId,
      name: t.name,
      rating: t.rating,
      mu: t.mu,
      sigma: t.sigma,
      ...(t.latencies ? { latencies: t.latencies } : {}),
      ticketId: t.ticketId,
      enqueuedAt: t.enqueuedAt,
      ready: false,
    });
    const match: MatchRecord = {
      matchId,
      game,
      mode,
      state: "ready_check",
      players: [seat(first), seat(second)],
      createdAt: now,
      readyBy: now + readyTimeoutMs,
    };
    // The host is chosen now: where the players meet, else (a direct match) the first player's node.
    const host = meeting?.host ?? this.players.get(key(game, first.playerId))?.node;
    if (host !== undefined) match.host = host;
    if (meeting) {
      match.region = meeting.region;
      match.latencyMs = meeting.latencyMs;
    }
    for (const t of [first, second]) {
      this.removeTicket(t.ticketId);
      this.players.get(key(t.game, t.playerId))!.match = matchId;
    }
    this.matches.set(matchId, match);
    // Newest first, as Redis's LPUSH of both leaves them.
    if (first.ticketId !== "") this.waits.set(game, [now - second.enqueuedAt, now - first.enqueuedAt, ...(this.waits.get(game) ?? [])].slice(0, 200));
    this.readyIndex(game).add(match.readyBy, matchId);
    this.setOf(this.matchesByGame, game).add(matchId);
    this.stampMatch(match);
    return this.copyOf(match);
  }

  lobbyOf(game: string): LexSet {
    let lobby = this.lobby.get(game);
    if (!lobby) this.lobby.set(game, (lobby = new LexSet()));
    return lobby;
  }

  dropMatch(match: MatchRecord): void {
    this.matches.delete(match.matchId);
    this.snapshots.delete(match.matchId);
    this.spectators.delete(match.matchId);
    if (match.host !== undefined) this.hosts.remove(match.host, match.matchId);
    this.readyIndex(match.game).remove(match.readyBy, match.matchId);
    this.matchesByGame.get(match.game)?.delete(match.matchId);
    for (const p of match.players) {
      const player = this.players.get(key(match.game, p.playerId));
      if (player?.match === match.matchId) delete player.match;
    }
  }

  /** Keeps a finished match for watching (archive-match.lua): its replay, each player's last 20, the leaderboard; a guest's history lives `guestTtlMs`. */
  archive(game: string, archive: MatchArchive, guestTtlMs?: number): void {
    const now = Date.now();
    const { replay, ranked, players } = archive;
    this.replays.add(key(game, replay.matchId), JSON.stringify(replay), now, archive.replayTtlMs);
    for (const p of players) {
      const k = key(game, p.playerId);
      const ttl = guestTtlMs !== undefined && isGuest(p.playerId) ? guestTtlMs : HISTORY_TTL_MS;
      this.histories.add(k, [p.entry, ...(this.histories.get(k, now) ?? [])].slice(0, 20), now, ttl);
      if (!ranked) continue;
      const board = `${game}|${replay.mode}`;
      const entry = this.boards.get(board)?.get(p.playerId) ?? { name: p.name, rating: p.rating, matches: 0 };
      entry.name = p.name;
      entry.rating = p.rating;
      entry.matches++;
      let rows = this.boards.get(board);
      if (!rows) this.boards.set(board, (rows = new Map()));
      rows.set(p.playerId, entry);
    }
  }
}
