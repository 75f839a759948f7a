import type { PlayerId } from "../../protocol/index.ts";
import type { SessionStore } from "../store.ts";
import type { NodeInfo, Sweep, SessionOpened, Departure, Ticket } from "../types.ts";
import { list, type RedisCore } from "./core.ts";

/** At most this many players of a dead node are swept per script call (the call repeats until done). */
const SWEEP_BATCH = 500;

/** The Redis store's sessions role (`SessionStore`): where players are connected, which nodes are alive, and each player's event numbers, on the shared connection and script runner (`RedisCore`). */
export function redisSessions(core: RedisCore): SessionStore {
  return {
    async heartbeat(node: string, now: number): Promise<void> {
      await core.call(() => Promise.all(core.games.map((game) => core.redis.zadd(core.key(game, "nodes"), now, node))));
    },

    async sweepDeadNodes(now: number, ttlMs: number): Promise<Sweep> {
      const sweep: Sweep = { expired: [], orphans: [] };
      for (const game of core.games) {
        // Bounded batches: a dead node with many players never makes one long script.
        for (let more = true; more; ) {
          const result = await core.json("sweep-nodes", {
            game,
            now,
            ttl: ttlMs,
            limit: SWEEP_BATCH,
          });
          // How clients reach a node is kept (outside any game's slot) until the node is gone.
          const gone = list<string>(result.gone);
          if (gone.length) await core.call(() => core.redis.hdel(`${core.prefix}:node-info`, ...gone));
          sweep.expired.push(...list<Ticket>(result.expired));
          sweep.orphans.push(...list<Sweep["orphans"][number]>(result.orphans));
          more = result.more;
        }
      }
      return sweep;
    },

    async openSession(game: string, playerId: PlayerId, node: string, generation: number, now: number, name = playerId): Promise<SessionOpened> {
      const result = await core.json("open-session", {
        game,
        playerId,
        name,
        node,
        generation,
        now,
      });
      if (result.stale) return { match: null, stale: true, seq: result.seq };
      return { match: result.match ?? null, ...(result.replaced ? { replaced: result.replaced } : {}), seq: result.seq };
    },

    async describeNode(node: string, info: NodeInfo): Promise<void> {
      await core.call(() =>
        Promise.all([
          core.redis.hset(`${core.prefix}:node-info`, node, JSON.stringify(info)),
          // Each game's pairing reads the nodes' regions in its own slot (lua/pair.lua).
          ...core.games.map((game) => core.redis.hset(core.key(game, "nreg", game), node, info.region)),
        ]),
      );
    },

    async liveNodes(now: number, ttlMs: number): Promise<(NodeInfo & { node: string })[]> {
      return core.call(async () => {
        // Every node heartbeats into every game's set: the first game's is enough.
        const nodes = await core.redis.zrangebyscore(core.key(core.games[0]!, "nodes"), now - ttlMs, "+inf");
        if (nodes.length === 0) return [];
        const infos = await core.redis.hmget(`${core.prefix}:node-info`, ...nodes);
        return nodes.flatMap((node, i) => (infos[i] ? [{ node, ...(JSON.parse(infos[i]!) as NodeInfo) }] : []));
      });
    },

    async describedNodes(): Promise<(NodeInfo & { node: string })[]> {
      const all = await core.call(() => core.redis.hgetall(`${core.prefix}:node-info`));
      return Object.entries(all).map(([node, raw]) => ({ node, ...(JSON.parse(raw) as NodeInfo) }));
    },

    async nodeInfo(node: string): Promise<NodeInfo | null> {
      const raw = await core.call(() => core.redis.hget(`${core.prefix}:node-info`, node));
      return raw === null ? null : (JSON.parse(raw) as NodeInfo);
    },

    async sessionNode(game: string, playerId: PlayerId): Promise<string | null> {
      return core.call(() => core.redis.hget(core.key(game, "p", game, playerId), "node"));
    },

    async stampAges(game: string, playerId: PlayerId, after: number, before: number): Promise<number[]> {
      return list<number>((await core.json("stamp-ages", { game, playerId, after, before })).ages);
    },

    async closeSession(game: string, playerId: PlayerId, generation: number): Promise<Departure | null> {
      const result = await core.json("close-session", { game, playerId, generation });
      return result.none
        ? null
        : { ticket: result.ticket, ...(result.ticketId ? { ticketId: result.ticketId } : {}), ...(result.match ? { match: result.match } : {}) };
    },
  };
}
