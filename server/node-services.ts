import {
  DEFAULT_RULES,
  elo,
  Lobby,
  openSkill,
  Matchmaker,
  memoryStore,
  redisStore,
  type MatchmakingStore,
  type NodeLoad,
  type PairingRules,
  type WatchStore,
} from "../matchmaker/index.ts";
import { Gauge } from "prom-client";
import { RoomManager, type StreamSnapshot } from "../game-rooms/index.ts";
import { createRelayCounters, LocalRelay, RedisRelay } from "./relay/index.ts";
import type { SharedParts } from "./shared-parts.ts";
import { type GameService, SessionTakeover, socketAddress, type ArenaNamespace } from "./edge/index.ts";
import { playerService } from "./edge/handlers/index.ts";
import { SocketPlayerChannel, PlayerPlaces, StateWires, StoreRecovery } from "./delivery/index.ts";
import { checkGameSet } from "./game-set.ts";

/** What a node runs besides its transport: the matchmaker, the game rooms, and the players' events. */
export interface NodeServices {
  /** The event handlers and connection hooks of every game namespace. */
  players: GameService;
  /** How the matchmaker and the rooms reach players; the namespaces register live sessions with it. */
  channel: SocketPlayerChannel;
  /** One live connection per player, across nodes. */
  sessions: SessionTakeover;
  /** Live matches, replays, histories and leaderboards, for the HTTP routes. */
  watch: WatchStore;
  /** The nodes heard from lately, with their regions and URLs. */
  liveNodes(): Promise<{ region: string; url?: string }[]>;
  start(): Promise<void>;
  /**
   * Tells the other nodes this one drains, then hands its running matches to live nodes (with Redis)
   * or lets them finish, within `drainMs`; the rest are aborted.
   */
  drain(drainMs: number): Promise<void>;
  stop(): Promise<void>;
  /** The state stream's exact counters and microsecond histograms (at a cycle boundary of `tickRate`'s lane). */
  streamSnapshot(tickRate?: number): Promise<StreamSnapshot>;
}

/** Wires the matchmaker and the game rooms to the namespaces of a node. */
export function createNodeServices(shared: SharedParts, namespaces: Map<string, ArenaNamespace>, load?: () => NodeLoad): NodeServices {
  const { config, log, redis, games } = shared;
  const store: MatchmakingStore = redis
    ? redisStore(
        redis.cmd,
        config.redisPrefix,
        games.list().map((g) => g.name),
      )
    : memoryStore({ replayBytes: config.rooms.replayMemoryBytes });
  const mm = config.matchmaker;
  const ratings = mm.ratingSystem === "elo" ? elo(mm.defaultRating, mm.eloK) : openSkill();
  const rules: PairingRules = {
    ...DEFAULT_RULES,
    model: ratings.model,
    initialChance: mm.chanceWindow,
    chancePerSecond: mm.chancePerSecond,
    // a window never starts wider than its cap
    maxChance: Math.max(mm.chanceMax, mm.chanceWindow),
    initialLatencyMs: mm.latencyWindowMs,
    latencyPerSecondMs: mm.latencyPerSecondMs,
    maxLatencyMs: Math.max(mm.latencyMaxMs, mm.latencyWindowMs),
    initialWindow: mm.initialWindow,
    widenPerSecond: mm.widenPerSecond,
    maxWindow: mm.maxWindow,
    readyTimeoutMs: mm.readyTimeoutMs,
    ticketTtlMs: mm.ticketTtlMs,
  };
  const relay = redis
    ? new RedisRelay(redis.pub, redis.relay, config.redisPrefix, config.nodeId, redis.cluster, createRelayCounters(shared.metrics.registry), log)
    : new LocalRelay(config.nodeId);
  const places = new PlayerPlaces();
  const remote = redis ? { node: config.nodeId, relay, sessions: store, log } : undefined;
  const wires = new StateWires(games.wireCodecs(), new Map(games.list().map((game) => [game.name, game.tickRate])));
  const channel = new SocketPlayerChannel(namespaces, places, store, remote, wires, log);
  new Gauge({
    name: "arena_spectator_groups",
    help: "Matches this node has spectators of (each closes with its match's end)",
    registers: [shared.metrics.registry],
    collect() {
      this.set([...channel.spectated()].length);
    },
  });
  const sessions = new SessionTakeover(redis?.cmd, `${config.redisPrefix}:session-generation`, relay, config.nodeId, log, (game, playerId) =>
    channel.sessionOf(game, playerId),
  );
  const self = { ...(config.publicUrl ? { url: config.publicUrl } : {}), region: config.region };
  const rooms = new RoomManager({
    node: config.nodeId,
    self,
    games,
    channel,
    store,
    relay,
    log,
    registry: shared.metrics.registry,
    ratings,
    guestRatingTtlMs: config.guestTokenTtlSeconds * 1000,
    graceMs: config.rooms.graceMs,
    lagMs: config.rooms.lagMs,
    leaseMs: config.rooms.leaseMs,
    // With one node (the memory store) no other node could resume a match: no snapshots.
    snapshotMs: redis ? config.rooms.snapshotMs : 0,
    replayTtlMs: config.rooms.replayTtlMs,
    maxReplayInputs: config.rooms.maxReplayInputs,
    maxSpectators: config.rooms.maxSpectators,
    requestTimeoutMs: 3000,
    liveMs: mm.ticketTtlMs,
    stateAckEvery: config.rooms.stateAckEvery,
  });
  const matchmaker = new Matchmaker({
    store,
    node: config.nodeId,
    games: games.list().map((g) => g.name),
    // Casual queues pair by age alone: any rating gap, any win chance is within the window.
    rules: (_game, mode) => (mode === "casual" ? { ...rules, initialWindow: 1e9, initialChance: 0.5, maxChance: 0.5 } : rules),
    intervalMs: mm.intervalMs,
    leaseMs: config.rooms.leaseMs,
    ratings,
    self,
    ...(load ? { load } : {}),
    gameSet: games.names(),
    channel,
    onMatchStarted: (match) => {
      rooms.hostMatch(match).catch((error: unknown) => log.error({ err: error, game: match.game, matchId: match.matchId }, "could not host a match"));
    },
    onOrphan: ({ game, playerId, matchId }) => {
      rooms
        .playerDisconnected(game, playerId, matchId)
        .catch((error: unknown) => log.warn({ err: error, game, playerId, matchId }, "could not tell a host about a lost player"));
    },
    log,
    registry: shared.metrics.registry,
  });
  const recovery = new StoreRecovery(store, matchmaker, channel, places, config.nodeId, log);
  const proxies = new Set(config.trustProxy);
  const lobby = new Lobby({
    store,
    channel,
    log,
    readyTimeoutMs: mm.readyTimeoutMs,
    initialRating: ratings.initial,
    challengeMs: mm.challengeMs,
    codeMs: mm.privateCodeMs,
    rematchMs: mm.rematchMs,
    rankedDirect: mm.rankedDirect,
    announce: (match) => matchmaker.announceMade(match),
  });

  return {
    players: playerService({ matchmaker, lobby, rooms, places, sessions, channel, games, addressOf: (ctx) => socketAddress(ctx.socket.handshake, proxies) }),
    channel,
    sessions,
    watch: store,
    liveNodes: () => store.liveNodes(Date.now(), mm.ticketTtlMs),
    async start() {
      await checkGameSet(store, config.nodeId, games.names(), mm.ticketTtlMs, log);
      await matchmaker.start();
      rooms.start();
      await recovery.start();
    },
    async drain(drainMs) {
      await matchmaker.heartbeatNow().catch((error: unknown) => log.warn({ err: error }, "could not tell the other nodes this one drains"));
      await rooms.drain(drainMs);
    },
    streamSnapshot: async (tickRate) => ({
      ...(await rooms.streamSnapshot(tickRate)),
      relay: relay instanceof RedisRelay ? { ...relay.sent } : { publishes: 0, messages: 0 },
    }),
    async stop() {
      matchmaker.stop();
      lobby.stop();
      recovery.stop();
      await rooms.stop();
      sessions.close();
      wires.close();
      await relay.close();
      await store.close();
    },
  };
}
