import type { PlayerId } from "../../protocol/index.ts";
import { key, type MemoryState } from "./state.ts";
import type { SessionStore } from "../store.ts";
import type { NodeInfo, SessionOpened, Sweep, Departure, Ticket } from "../types.ts";

/** The memory store's sessions role (`SessionStore`): where players are connected, which nodes are alive, and each player's event numbers, on the shared state (`MemoryState`). */
export function memorySessions(state: MemoryState): SessionStore {
  return {
    async heartbeat(node: string, now: number): Promise<void> {
      state.nodes.set(node, now);
    },

    async sweepDeadNodes(now: number, ttlMs: number): Promise<Sweep> {
      const expired: Ticket[] = [];
      const orphans: Sweep["orphans"] = [];
      for (const [node, seen] of state.nodes) {
        if (seen >= now - ttlMs) continue;
        for (const member of state.nodePlayers.get(node) ?? []) {
          const cut = member.indexOf("|");
          const game = member.slice(0, cut);
          const playerId = member.slice(cut + 1);
          const player = state.players.get(member);
          if (!player || player.node !== node) continue;
          if (player.ticket) {
            const ticket = state.removeTicket(player.ticket);
            if (ticket) expired.push(ticket);
          }
          if (player.match) orphans.push({ game, playerId, matchId: player.match });
          state.detach(game, playerId, player);
          state.forgetIfIdle(game, playerId);
        }
        state.nodePlayers.delete(node);
        state.nodes.delete(node);
      }
      return { expired, orphans };
    },

    async openSession(game: string, playerId: PlayerId, node: string, generation: number, now: number, name = playerId): Promise<SessionOpened> {
      state.nodes.set(node, Math.max(now, state.nodes.get(node) ?? -Infinity));
      const k = key(game, playerId);
      let player = state.players.get(k);
      if (!player) state.players.set(k, (player = { generation: 0 }));
      if (player.generation > generation) return { match: null, stale: true, seq: state.lastStamp(game, playerId) };
      const replaced = player.node !== undefined && player.node !== node ? player.node : undefined;
      if (replaced !== undefined) state.nodePlayers.get(replaced)?.delete(k);
      player.node = node;
      player.generation = generation;
      player.name = name;
      state.setOf(state.nodePlayers, node).add(k);
      state.lobbyOf(game).add(playerId);
      const match = player.match ? state.matches.get(player.match) : undefined;
      const pointer = match ? { matchId: match.matchId, state: match.state, ...(match.host ? { host: match.host } : {}) } : null;
      return { match: pointer, ...(replaced !== undefined ? { replaced } : {}), seq: state.lastStamp(game, playerId) };
    },

    async describeNode(node: string, info: NodeInfo): Promise<void> {
      state.nodeInfos.set(node, info);
    },

    async liveNodes(now: number, ttlMs: number): Promise<(NodeInfo & { node: string })[]> {
      return [...state.nodes].flatMap(([node, seen]) => {
        const info = state.nodeInfos.get(node);
        return seen >= now - ttlMs && info ? [{ node, ...info }] : [];
      });
    },

    async describedNodes(): Promise<(NodeInfo & { node: string })[]> {
      return [...state.nodeInfos].map(([node, info]) => ({ node, ...info }));
    },

    async nodeInfo(node: string): Promise<NodeInfo | null> {
      return state.nodeInfos.get(node) ?? null;
    },

    async sessionNode(game: string, playerId: PlayerId): Promise<string | null> {
      return state.players.get(key(game, playerId))?.node ?? null;
    },

    async stampAges(game: string, playerId: PlayerId, after: number, before: number): Promise<number[]> {
      return state.stampAgesOf(game, playerId, after, before);
    },

    async closeSession(game: string, playerId: PlayerId, generation: number): Promise<Departure | null> {
      const player = state.players.get(key(game, playerId));
      if (!player || player.generation !== generation || player.node === undefined) return null;
      const departure: Departure = { ticket: false };
      if (player.ticket) {
        departure.ticketId = player.ticket;
        departure.ticket = Boolean(state.removeTicket(player.ticket));
      }
      if (player.match) {
        const match = state.matches.get(player.match);
        if (match) departure.match = { matchId: match.matchId, state: match.state };
      }
      state.detach(game, playerId, player);
      state.forgetIfIdle(game, playerId);
      return departure;
    },
  };
}
