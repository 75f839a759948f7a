import type { LobbyPage, LobbyPlayer, LobbyStatus, PlayerId } from "../../protocol/index.ts";
import type { DirectMatch, RematchAsk, LobbyStore } from "../store.ts";
import type { MatchRecord } from "../types.ts";
import { list, type RedisCore } from "./core.ts";

/** The Redis store's lobby role (`LobbyStore`): who is online, offers, and the matches made without a queue (challenges, codes, rematches), on the shared connection and script runner (`RedisCore`). */
export function redisLobby(core: RedisCore): LobbyStore {
  return {
    async lobbyPage(game: string, after: string, limit: number): Promise<LobbyPage> {
      const page = await core.json("lobby-page", { game, after, limit });
      return { players: list<LobbyPlayer>(page.players), total: page.total, ...(page.next ? { next: page.next } : {}) };
    },

    async playerStatus(game: string, playerId: PlayerId): Promise<LobbyStatus | null> {
      const [node, ticket, match] = await core.call(() => core.redis.hmget(core.key(game, "p", game, playerId), "node", "ticket", "match"));
      if (!node) return null;
      return match ? "playing" : ticket ? "queued" : "idle";
    },

    async putOffer(game: string, key: string, offer: string, ttlMs: number): Promise<boolean> {
      // A script, not a plain SET NX: re-sent after a lost reply, it answers its first run's result.
      return (await core.json("put-offer", { game, key, offer, ttlMs })).put;
    },

    async getOffer(game: string, key: string): Promise<string | null> {
      return core.call(() => core.redis.get(core.key(game, key)));
    },

    async dropOffer(game: string, key: string): Promise<boolean> {
      return (await core.json("drop-offer", { game, key })).dropped;
    },

    async makeMatch(game: string, request: DirectMatch): Promise<MatchRecord> {
      return (await core.json("make-match", { game, ...request, offer: request.offer ?? "" })).match;
    },

    async askRematch(game: string, matchId: string, playerId: PlayerId, now: number, windowMs: number): Promise<RematchAsk> {
      return core.json("ask-rematch", { game, matchId, playerId, now, windowMs });
    },
  };
}
