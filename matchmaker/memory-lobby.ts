import {
  ArenaError,
  ErrorCode,
  isGuest,
  type HistoryEntry,
  type LeaderboardEntry,
  type LiveMatch,
  type LobbyPage,
  type LobbyStatus,
  type PlayerId,
  type Replay,
} from "../protocol/index.ts";
import { key, MemoryState } from "./memory-state.ts";
import { HISTORY_TTL_MS, type DirectMatch, type MatchArchive, type RematchAsk } from "./store.ts";
import type { MatchRecord, Ticket } from "./types.ts";

/**
 * The memory store's lobby and watching: who is online, offers and the matches they make,
 * rematches, live matches, replays, histories and leaderboards (the `LobbyStore` and `WatchStore`
 * roles), on the state the rest of the store keeps.
 */
export abstract class MemoryLobbyState extends MemoryState {
  async lobbyPage(game: string, after: string, limit: number): Promise<LobbyPage> {
    const lobby = this.lobby.get(game);
    const ids = lobby?.after(after, limit + 1) ?? [];
    const players = ids.slice(0, limit).map((playerId) => {
      const player = this.players.get(key(game, playerId));
      return { playerId, name: player?.name ?? playerId, status: statusOf(player) ?? ("idle" as const) };
    });
    return { players, total: lobby?.size ?? 0, ...(ids.length > limit ? { next: ids[limit - 1]! } : {}) };
  }

  async playerStatus(game: string, playerId: PlayerId): Promise<LobbyStatus | null> {
    return statusOf(this.players.get(key(game, playerId)));
  }

  async putOffer(game: string, offerKey: string, offer: string, ttlMs: number): Promise<boolean> {
    const k = key(game, offerKey);
    const now = Date.now();
    if (this.offers.get(k, now) !== undefined) return false;
    this.offers.add(k, offer, now, ttlMs);
    return true;
  }

  async getOffer(game: string, offerKey: string): Promise<string | null> {
    return this.offers.get(key(game, offerKey), Date.now()) ?? null;
  }

  async dropOffer(game: string, offerKey: string): Promise<boolean> {
    const k = key(game, offerKey);
    const held = this.offers.get(k, Date.now()) !== undefined;
    this.offers.delete(k);
    return held;
  }

  async makeMatch(game: string, request: DirectMatch): Promise<MatchRecord> {
    const { offer, now } = request;
    const finished = offer?.startsWith("fin:") ? offer.slice(4) : undefined;
    const held =
      finished !== undefined ? this.finished.get(finished, Date.now()) !== undefined : offer === undefined || (await this.getOffer(game, offer)) !== null;
    if (!held) throw new ArenaError(ErrorCode.UNKNOWN_CODE, "no such code, or it expired or was used");
    const entries = request.players.map((playerId) => this.players.get(key(game, playerId)));
    for (const player of entries) {
      if (player?.node === undefined) throw new ArenaError(ErrorCode.UNKNOWN_PLAYER, "that player is not online in this game");
      if (player.match !== undefined) throw new ArenaError(ErrorCode.ALREADY_IN_MATCH, "already in a match");
      if (player.ticket !== undefined) throw new ArenaError(ErrorCode.ALREADY_QUEUED, "already queued");
    }
    const seat = (playerId: PlayerId, index: number): Ticket => ({
      ticketId: "",
      playerId,
      name: entries[index]!.name ?? playerId,
      game,
      mode: request.mode,
      ...this.ratingOf(game, request.mode, playerId, request.initial),
      enqueuedAt: now,
    });
    const match = this.createMatch(request.matchId, seat(request.players[0], 0), seat(request.players[1], 1), now, request.readyTimeoutMs);
    if (request.casual) match.casual = this.matches.get(match.matchId)!.casual = true;
    if (finished !== undefined) this.finished.delete(finished);
    else if (offer !== undefined) this.offers.delete(key(game, offer));
    return match;
  }

  async askRematch(game: string, matchId: string, playerId: PlayerId, now: number, windowMs: number): Promise<RematchAsk> {
    const finished = this.finished.get(matchId, Date.now());
    if (!finished || finished.game !== game || finished.endedAt + windowMs < now)
      throw new ArenaError(ErrorCode.UNKNOWN_MATCH, "no rematch: the match ended too long ago");
    const seat = finished.players.indexOf(playerId);
    if (seat < 0) throw new ArenaError(ErrorCode.NOT_IN_MATCH, "not a player of this match");
    finished.asked.add(playerId);
    const [first, second] = finished.players as [PlayerId, PlayerId];
    if (finished.asked.size === 2) return { waiting: false, players: [second, first], mode: finished.mode };
    return { waiting: true, opponent: seat === 0 ? second : first };
  }

  async liveMatches(game: string, limit: number): Promise<LiveMatch[]> {
    const live = [...(this.matchesByGame.get(game) ?? [])]
      .map((id) => this.matches.get(id)!)
      .filter((m) => m.state === "playing")
      .sort((a, b) => (b.startedAt ?? 0) - (a.startedAt ?? 0))
      .slice(0, limit);
    return live.map((m) => ({
      matchId: m.matchId,
      game,
      mode: m.mode,
      players: m.players.map((p) => ({ playerId: p.playerId, name: p.name, rating: p.rating })),
      startedAt: m.startedAt ?? m.createdAt,
      spectators: this.spectators.get(m.matchId) ?? 0,
    }));
  }

  async setSpectators(_game: string, matchId: string, count: number): Promise<void> {
    if (this.matches.has(matchId)) this.spectators.set(matchId, count);
  }

  async archiveMatch(game: string, archive: MatchArchive, guestTtlMs?: number): Promise<void> {
    const now = Date.now();
    const { replay, ranked, players } = archive;
    this.replays.add(key(game, replay.matchId), replay, now, archive.replayTtlMs);
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

  async replay(game: string, matchId: string): Promise<Replay | null> {
    return this.replays.get(key(game, matchId), Date.now()) ?? null;
  }

  async history(game: string, playerId: PlayerId): Promise<HistoryEntry[]> {
    return this.histories.get(key(game, playerId), Date.now()) ?? [];
  }

  async sweepGuests(game: string): Promise<number> {
    let removed = 0;
    for (const [name, board] of this.boards) {
      const mode = name.slice(name.indexOf("|") + 1);
      if (!name.startsWith(`${game}|`)) continue;
      for (const playerId of board.keys()) {
        if (isGuest(playerId) && this.guestRatings.get(key(game, `${mode}|${playerId}`), Date.now()) === undefined) {
          board.delete(playerId);
          removed++;
        }
      }
    }
    return removed;
  }

  async leaderboard(game: string, mode: string, limit: number): Promise<LeaderboardEntry[]> {
    // A guest whose rating expired (with their token) leaves the board.
    await this.sweepGuests(game);
    const board = this.boards.get(`${game}|${mode}`);
    const rows = [...(board ?? [])].filter(([, e]) => e.matches >= 5);
    // As Redis orders a sorted set read backwards: by rating, then by id, both descending.
    rows.sort(([a, x], [b, y]) => y.rating - x.rating || (b < a ? -1 : b > a ? 1 : 0));
    return rows.slice(0, limit).map(([playerId, e], i) => ({ rank: i + 1, playerId, name: e.name, rating: e.rating, matches: e.matches }));
  }
}

/** A player's lobby status from their entry; null when not online. */
function statusOf(player: { node?: string; ticket?: string; match?: string } | undefined): LobbyStatus | null {
  if (player?.node === undefined) return null;
  return player.match !== undefined ? "playing" : player.ticket !== undefined ? "queued" : "idle";
}
