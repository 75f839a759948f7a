import { ArenaError, ErrorCode } from "../protocol/index.ts";
import { DEFAULT_RULES, Matchmaker, MemoryStore, RedisStore, type MatchmakingStore, type PairingRules, type Seeker } from "../matchmaker/index.ts";
import type { PlayerContext } from "./event-handlers.ts";
import type { GameService } from "./game-namespace.ts";
import { playerRoom, type ArenaNamespace } from "./types.ts";
import type { SharedParts } from "./arena-server.ts";

/** What a node runs besides its transport: the matchmaker and the game rooms, and each game's event handlers. */
export interface NodeServices {
  forGame(game: string): GameService;
  start(): Promise<void>;
  stop(): Promise<void>;
}

function seeker(ctx: PlayerContext): Seeker {
  return { game: ctx.game, playerId: ctx.playerId, name: ctx.name, generation: ctx.socket.data.generation };
}

/** Wires the matchmaker (and the game rooms) to the namespaces of a node. */
export function createNodeServices(shared: SharedParts): NodeServices {
  const { config, io, log, redis, games } = shared;
  const store: MatchmakingStore = redis ? new RedisStore(redis.cmd, config.redisPrefix) : new MemoryStore();
  const mm = config.matchmaker;
  const rules: PairingRules = {
    ...DEFAULT_RULES,
    initialWindow: mm.initialWindow,
    widenPerSecond: mm.widenPerSecond,
    maxWindow: mm.maxWindow,
    readyTimeoutMs: mm.readyTimeoutMs,
    ticketTtlMs: mm.ticketTtlMs,
  };
  const namespaces = new Map<string, ArenaNamespace>(games.list().map((g) => [g.name, io.of(`/${g.name}`)]));
  const matchmaker = new Matchmaker({
    store,
    node: config.nodeId,
    games: games.list().map((g) => g.name),
    rules: () => rules,
    intervalMs: mm.intervalMs,
    defaultRating: mm.defaultRating,
    notify: (game, playerId, event, ...args) => {
      const target = namespaces.get(game)?.to(playerRoom(playerId)) as { emit(event: string, ...args: unknown[]): boolean } | undefined;
      target?.emit(event, ...args);
    },
    onMatchStarted: (match) => log.info({ game: match.game, matchId: match.matchId }, "match ready for the game rooms"),
    log,
    registry: shared.metrics.registry,
  });

  const notInMatch = () => {
    throw new ArenaError(ErrorCode.NOT_IN_MATCH, "you are not playing this match");
  };

  return {
    forGame: () => ({
      handlers: {
        "queue:join": async (payload, ctx) => ({ ticketId: await matchmaker.join(seeker(ctx), payload.mode ?? "default") }),
        "queue:leave": async (_payload, ctx) => ({ cancelled: await matchmaker.leave(seeker(ctx)) }),
        "match:ready": async (payload, ctx) => {
          await matchmaker.ready(seeker(ctx), payload.matchId);
          return {};
        },
        "game:input": notInMatch,
        "match:leave": notInMatch,
        "chat:send": notInMatch,
        stats: (_payload, ctx) => matchmaker.stats(ctx.game),
      },
      connected: (ctx) => matchmaker.sessionOpened(seeker(ctx)),
      disconnected: async (ctx) => {
        await matchmaker.sessionClosed(seeker(ctx));
      },
    }),
    start: () => matchmaker.start(),
    async stop() {
      matchmaker.stop();
      await store.close();
    },
  };
}
