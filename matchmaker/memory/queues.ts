import { ArenaError, ErrorCode, type PlayerId } from "../../protocol/index.ts";
import { findPairs } from "../memory-pairing.ts";
import { DEFAULT_REGION } from "../meeting-region.ts";
import { key, type MemoryState } from "./state.ts";
import type { QueueStore } from "../store.ts";
import type { Departure, GameCounts, MatchRecord, PairingRules, Rated, Ticket, TicketRequest } from "../types.ts";

/** The memory store's queues role (`QueueStore`): tickets, pairing passes, the matcher lease, and the counts shown to players, on the shared state (`MemoryState`). */
export function memoryQueues(state: MemoryState): QueueStore {
  const matchers = new Map<string, { node: string; until: number }>();

  return {
    async enqueue(request: TicketRequest, now: number, initial: Rated): Promise<Ticket> {
      const k = key(request.game, request.playerId);
      let player = state.players.get(k);
      if (player?.match) throw new ArenaError(ErrorCode.ALREADY_IN_MATCH, "already in a match of this game");
      if (player?.ticket) throw new ArenaError(ErrorCode.ALREADY_QUEUED, "already queued for this game");
      if (!player) state.players.set(k, (player = { generation: 0 }));
      const ticket: Ticket = {
        ...request,
        ...state.ratingOf(request.game, request.mode, request.playerId, initial),
        enqueuedAt: now,
      };
      state.addTicket(ticket);
      return ticket;
    },

    async dequeue(game: string, playerId: PlayerId): Promise<Departure> {
      const player = state.players.get(key(game, playerId));
      if (!player) return { ticket: false };
      if (player.ticket) {
        const ticketId = player.ticket;
        state.removeTicket(ticketId);
        state.forgetIfIdle(game, playerId);
        return { ticket: true, ticketId };
      }
      const match = player.match ? state.matches.get(player.match) : undefined;
      return match ? { ticket: false, match: { matchId: match.matchId, state: match.state } } : { ticket: false };
    },

    async modes(game: string): Promise<string[]> {
      return [...(state.gameModes.get(game) ?? [])];
    },

    async pair(game: string, mode: string, now: number, rules: PairingRules, matchIds: string[], focusTicketId?: string): Promise<MatchRecord[]> {
      const queue = state.queues.get(key(game, mode));
      if (!queue) return [];
      const regionOf = (node: string) => state.nodeInfos.get(node)?.region ?? DEFAULT_REGION;
      const view = {
        starts: focusTicketId !== undefined ? [focusTicketId] : queue.byAge.first(rules.scanOldest),
        byRating: queue.byRating,
        ticket: (id: string) => state.tickets.get(id),
        alive: (ticket: Ticket) => state.alive(ticket, now, rules.ticketTtlMs),
        nodeOf: (ticket: Ticket) => state.players.get(key(game, ticket.playerId))?.node ?? "",
        regions: {
          regionOf,
          liveNodesIn: (region: string) =>
            [...state.nodes]
              .filter(([node, seen]) => seen >= now - rules.ticketTtlMs && regionOf(node) === region)
              .map(([node]) => node)
              .sort(),
        },
      };
      const pairs = findPairs(view, game, mode, now, rules, Math.min(rules.maxPairsPerPass, matchIds.length));
      return pairs.map(({ first, second, meeting }, i) => state.createMatch(matchIds[i]!, first, second, now, rules.readyTimeoutMs, meeting));
    },

    async claimMatcher(game: string, mode: string, node: string, now: number, ttlMs: number): Promise<boolean> {
      const k = key(game, mode);
      const lease = matchers.get(k);
      if (lease && lease.node !== node && lease.until > now) return false;
      matchers.set(k, { node, until: now + ttlMs });
      return true;
    },

    async counts(game: string): Promise<GameCounts> {
      let queued = 0;
      for (const mode of state.gameModes.get(game) ?? []) queued += state.queues.get(key(game, mode))?.byAge.size ?? 0;
      return { queued, matches: state.matchesByGame.get(game)?.size ?? 0, players: state.lobby.get(game)?.size ?? 0 };
    },

    async recentWaits(game: string): Promise<number[]> {
      return [...(state.waits.get(game) ?? [])];
    },

    async queueSizes(game: string): Promise<Record<string, number>> {
      const modes = [...(state.gameModes.get(game) ?? [])];
      return Object.fromEntries(modes.map((mode) => [mode, state.queues.get(key(game, mode))?.byAge.size ?? 0]));
    },
  };
}
