import { ArenaError, ErrorCode, type PlayerId, type LobbyPage, type LobbyStatus } from "../../protocol/index.ts";
import { key, type MemoryState } from "./state.ts";
import type { MatchmakingStore, DirectMatch, RematchAsk, LobbyStore } from "../store.ts";
import type { MatchRecord, Ticket } from "../types.ts";

/** The memory store's lobby role (`LobbyStore`): who is online, offers, and the matches made without a queue (challenges, codes, rematches), on the shared state (`MemoryState`). */
export function memoryLobby(state: MemoryState, store: MatchmakingStore /* the whole store, for what another role does */): LobbyStore {
  return {
    async lobbyPage(game: string, after: string, limit: number): Promise<LobbyPage> {
      const lobby = state.lobby.get(game);
      const ids = lobby?.after(after, limit + 1) ?? [];
      const players = ids.slice(0, limit).map((playerId) => {
        const player = state.players.get(key(game, playerId));
        return { playerId, name: player?.name ?? playerId, status: statusOf(player) ?? ("idle" as const) };
      });
      return { players, total: lobby?.size ?? 0, ...(ids.length > limit ? { next: ids[limit - 1]! } : {}) };
    },

    async playerStatus(game: string, playerId: PlayerId): Promise<LobbyStatus | null> {
      return statusOf(state.players.get(key(game, playerId)));
    },

    async putOffer(game: string, offerKey: string, offer: string, ttlMs: number): Promise<boolean> {
      const k = key(game, offerKey);
      const now = Date.now();
      if (state.offers.get(k, now) !== undefined) return false;
      state.offers.add(k, offer, now, ttlMs);
      return true;
    },

    async getOffer(game: string, offerKey: string): Promise<string | null> {
      return state.offers.get(key(game, offerKey), Date.now()) ?? null;
    },

    async dropOffer(game: string, offerKey: string): Promise<boolean> {
      const k = key(game, offerKey);
      const held = state.offers.get(k, Date.now()) !== undefined;
      state.offers.delete(k);
      return held;
    },

    async makeMatch(game: string, request: DirectMatch): Promise<MatchRecord> {
      const { offer, now } = request;
      const finished = offer?.startsWith("fin:") ? offer.slice(4) : undefined;
      const held =
        finished !== undefined ? state.finished.get(finished, Date.now()) !== undefined : offer === undefined || (await store.getOffer(game, offer)) !== null;
      if (!held) throw new ArenaError(ErrorCode.UNKNOWN_CODE, "no such code, or it expired or was used");
      const entries = request.players.map((playerId) => state.players.get(key(game, playerId)));
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
        ...state.ratingOf(game, request.mode, playerId, request.initial),
        enqueuedAt: now,
      });
      const match = state.createMatch(request.matchId, seat(request.players[0], 0), seat(request.players[1], 1), now, request.readyTimeoutMs);
      if (request.casual) match.casual = state.matches.get(match.matchId)!.casual = true;
      if (finished !== undefined) state.finished.delete(finished);
      else if (offer !== undefined) state.offers.delete(key(game, offer));
      return match;
    },

    async askRematch(game: string, matchId: string, playerId: PlayerId, now: number, windowMs: number): Promise<RematchAsk> {
      const finished = state.finished.get(matchId, Date.now());
      if (!finished || finished.game !== game || finished.endedAt + windowMs < now)
        throw new ArenaError(ErrorCode.UNKNOWN_MATCH, "no rematch: the match ended too long ago");
      const seat = finished.players.indexOf(playerId);
      if (seat < 0) throw new ArenaError(ErrorCode.NOT_IN_MATCH, "not a player of this match");
      finished.asked.add(playerId);
      const [first, second] = finished.players as [PlayerId, PlayerId];
      if (finished.asked.size === 2) return { waiting: false, players: [second, first], mode: finished.mode };
      return { waiting: true, opponent: seat === 0 ? second : first };
    },
  };
}

/** A player's lobby status from their entry; null when not online. */
function statusOf(player: { node?: string; ticket?: string; match?: string } | undefined): LobbyStatus | null {
  if (player?.node === undefined) return null;
  return player.match !== undefined ? "playing" : player.ticket !== undefined ? "queued" : "idle";
}
