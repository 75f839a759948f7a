import { DEFAULT_RULES, Matchmaker, MemoryStore, RedisStore, type MatchmakingStore, type PairingRules, type Seeker } from "../matchmaker/index.ts";
import { LocalRelay, RedisRelay, RoomManager, toPlayer, type StreamSnapshot } from "../game-rooms/index.ts";
import type { PlayerContext } from "./event-handlers.ts";
import type { GameService } from "./game-namespace.ts";
import { playerRoom, type ArenaNamespace, type ArenaSocket } from "./types.ts";
import { TokenBucket } from "./rate-limit.ts";
import { StoreRecovery } from "./store-recovery.ts";
import type { SharedParts } from "./arena-server.ts";

/** Chat has its own, tighter budget; being refused here never disconnects. */
const CHAT_RATE = { perSecond: 1, burst: 5, disconnectAfter: Number.MAX_SAFE_INTEGER };

/** What a node runs besides its transport: the matchmaker and the game rooms, and each game's event handlers. */
export interface NodeServices {
  forGame(game: string): GameService;
  start(): Promise<void>;
  /** Lets running matches finish (up to `drainMs`), then aborts the rest. */
  drain(drainMs: number): Promise<void>;
  stop(): Promise<void>;
  /** The state stream's exact counters and microsecond histograms (at a cycle boundary of `tickRate`'s lane). */
  streamSnapshot(tickRate?: number): Promise<StreamSnapshot>;
}

function seeker(ctx: PlayerContext): Seeker {
  return { game: ctx.game, playerId: ctx.playerId, name: ctx.name, generation: ctx.socket.data.generation };
}

/** Wires the matchmaker and the game rooms to the namespaces of a node. */
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
  const chatBuckets = new WeakMap<ArenaSocket, TokenBucket>();
  const namespaces = new Map<string, ArenaNamespace>(games.list().map((g) => [g.name, io.of(`/${g.name}`)]));
  const rooms = new RoomManager({
    node: config.nodeId,
    games,
    namespaces,
    store,
    relay: redis ? new RedisRelay(redis.pub, redis.relay, config.redisPrefix, config.nodeId) : new LocalRelay(config.nodeId),
    log,
    registry: shared.metrics.registry,
    eloK: mm.eloK,
    graceMs: config.rooms.graceMs,
    lagMs: config.rooms.lagMs,
    leaseMs: config.rooms.leaseMs,
    requestTimeoutMs: 3000,
    stateAckEvery: config.rooms.stateAckEvery,
    playerRoom,
  });
  const matchmaker = new Matchmaker({
    store,
    node: config.nodeId,
    games: games.list().map((g) => g.name),
    rules: () => rules,
    intervalMs: mm.intervalMs,
    leaseMs: config.rooms.leaseMs,
    defaultRating: mm.defaultRating,
    notify: (game, playerId, event, ...args) => {
      const nsp = namespaces.get(game);
      const target = nsp && (toPlayer(nsp, playerRoom(playerId)) as { emit(event: string, ...args: unknown[]): boolean });
      target?.emit(event, ...args);
    },
    onMatchStarted: (match) => {
      rooms.host(match).catch((error: unknown) => log.error({ err: error, game: match.game, matchId: match.matchId }, "could not host a match"));
    },
    onOrphan: ({ game, playerId, matchId }) => {
      rooms
        .playerDisconnected(game, playerId, matchId)
        .catch((error: unknown) => log.warn({ err: error, game, playerId, matchId }, "could not tell a host about a lost player"));
    },
    log,
    registry: shared.metrics.registry,
  });

  const recovery = new StoreRecovery(store, matchmaker, namespaces, config.nodeId, log);

  return {
    forGame: () => ({
      handlers: {
        "queue:join": async (payload, ctx) => {
          const mode = payload.mode ?? "default";
          const ticket = await matchmaker.join(seeker(ctx), mode);
          recovery.queued(ctx.socket, { ticketId: ticket.ticketId, mode, enqueuedAt: ticket.enqueuedAt });
          return { ticketId: ticket.ticketId };
        },
        "queue:leave": async (_payload, ctx) => {
          const cancelled = await matchmaker.leave(seeker(ctx));
          recovery.left(ctx.socket);
          return { cancelled };
        },
        "match:ready": async (payload, ctx) => {
          await matchmaker.ready(seeker(ctx), payload.matchId);
          return {};
        },
        "game:input": async (payload, ctx) => ({ tick: await rooms.input(ctx.game, ctx.playerId, payload.matchId, payload.seq, payload.input) }),
        "match:leave": async (payload, ctx) => {
          await rooms.leave(ctx.game, ctx.playerId, payload.matchId);
          return {};
        },
        "chat:send": async (payload, ctx) => {
          let bucket = chatBuckets.get(ctx.socket);
          if (!bucket) chatBuckets.set(ctx.socket, (bucket = new TokenBucket(CHAT_RATE)));
          const allow = () => bucket.take() === "ok";
          await rooms.chat(ctx.game, ctx.playerId, ctx.name, payload.matchId, payload.text, allow);
          return {};
        },
        stats: (_payload, ctx) => matchmaker.stats(ctx.game),
      },
      inputNoAnswer: (payload, ctx) => rooms.inputNoAnswer(ctx.game, ctx.playerId, payload.matchId, payload.seq, payload.input),
      stateAck: (payload, ctx) => rooms.stateAck(ctx.game, ctx.playerId, payload),
      connected: async (ctx) => {
        recovery.watch(ctx.socket);
        const match = await matchmaker.sessionOpened(seeker(ctx));
        rooms.playerConnected(ctx.game, ctx.playerId, match);
      },
      disconnected: async (ctx) => {
        const runningMatch = await matchmaker.sessionClosed(seeker(ctx));
        if (runningMatch) await rooms.playerDisconnected(ctx.game, ctx.playerId, runningMatch);
      },
    }),
    async start() {
      await matchmaker.start();
      rooms.start();
      await recovery.start();
    },
    drain: (drainMs) => rooms.drain(drainMs),
    streamSnapshot: (tickRate) => rooms.streamSnapshot(tickRate),
    async stop() {
      matchmaker.stop();
      recovery.stop();
      await rooms.stop();
      await store.close();
    },
  };
}
