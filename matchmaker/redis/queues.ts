import type { PlayerId } from "../../protocol/index.ts";
import type { QueueStore } from "../store.ts";
import type { Departure, GameCounts, MatchRecord, PairingRules, Rated, Ticket, TicketRequest } from "../types.ts";
import { list, type RedisCore } from "./core.ts";

/** The Redis store's queues role (`QueueStore`): tickets, pairing passes, the matcher lease, and the counts shown to players, on the shared connection and script runner (`RedisCore`). */
export function redisQueues(core: RedisCore): QueueStore {
  return {
    async enqueue(request: TicketRequest, now: number, initial: Rated): Promise<Ticket> {
      const { ticketId, playerId, name, game, mode, latencies } = request;
      return (await core.json("enqueue", { ticketId, playerId, name, game, mode, now, initial, ...(latencies ? { latencies } : {}) })).ticket;
    },

    async dequeue(game: string, playerId: PlayerId): Promise<Departure> {
      return core.json("dequeue", { game, playerId });
    },

    async modes(game: string): Promise<string[]> {
      return core.call(() => core.redis.smembers(core.key(game, "modes", game)));
    },

    async pair(game: string, mode: string, now: number, rules: PairingRules, matchIds: string[], focusTicketId?: string): Promise<MatchRecord[]> {
      const result = await core.json("pair", { game, mode, now, rules, focus: focusTicketId ?? "", matchIds });
      return list<MatchRecord>(result.made);
    },

    async claimMatcher(game: string, mode: string, node: string, _now: number, ttlMs: number): Promise<boolean> {
      return (await core.integer("claim-matcher", { game, mode, node, ttl: ttlMs })) === 1;
    },

    async counts(game: string): Promise<GameCounts> {
      return core.call(async () => {
        const modes = await core.redis.smembers(core.key(game, "modes", game));
        const pipeline = core.redis.pipeline();
        for (const mode of modes) pipeline.zcard(core.key(game, "qa", game, mode));
        pipeline.scard(core.key(game, "ms", game));
        pipeline.zcard(core.key(game, "lobby", game));
        const results = ((await pipeline.exec()) ?? []).map(([error, value]) => {
          if (error) throw error;
          return Number(value);
        });
        const players = results.pop() ?? 0;
        const matches = results.pop() ?? 0;
        return { queued: results.reduce((a, b) => a + b, 0), matches, players };
      });
    },

    async recentWaits(game: string): Promise<number[]> {
      return (await core.call(() => core.redis.lrange(core.key(game, "waits", game), 0, 199))).map(Number);
    },

    async queueSizes(game: string): Promise<Record<string, number>> {
      return core.call(async () => {
        const modes = await core.redis.smembers(core.key(game, "modes", game));
        const sizes = await Promise.all(modes.map((mode) => core.redis.zcard(core.key(game, "qa", game, mode))));
        return Object.fromEntries(modes.map((mode, i) => [mode, sizes[i] ?? 0]));
      });
    },
  };
}
