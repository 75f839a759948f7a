import { createAdapter, createShardedAdapter } from "@socket.io/redis-adapter";
import { Server } from "socket.io";
import { ErrorCode, type ClientEventName, type ErrorBody } from "../protocol/index.ts";
import { builtinGames, GameRegistry } from "../game-rooms/index.ts";
import {
  TokenService,
  clientAddress,
  GuestMints,
  socketAddress,
  KeyedBuckets,
  ConnectionCap,
  connectionsBelow,
  openGameNamespace,
  ConnectionRate,
  PlayerBudgets,
  type ArenaIo,
} from "./edge/index.ts";
import { redactUrl, type ArenaConfig } from "./config/index.ts";
import { adminAsset, instrumentAdmin, handleHttp, MAX_HTTP_BODY, type HttpRequest, MetricsServer, PageFiles } from "./http/index.ts";
import { createNodeServices } from "./node-services.ts";
import type { SharedParts } from "./shared-parts.ts";

export type { SharedParts } from "./shared-parts.ts";
import { createLogger, type Logger } from "./logger.ts";
import { createServerMetrics, type ServerMetrics } from "./metrics.ts";
import { connectRedis } from "./redis.ts";
import { type Transport, type UwsLoad, attachUws, attachWs, loadUws } from "./transport/index.ts";

/** Events that start something new: refused while the node drains. */
const NEW_WORK = new Set<ClientEventName>(["queue:join", "match:ready"]);

export interface ArenaServerOptions {
  config: ArenaConfig;
  logger?: Logger;
  games?: GameRegistry;
}

/** A running Arena node. */
export interface ArenaServer {
  readonly config: ArenaConfig;
  readonly io: ArenaIo;
  readonly log: Logger;
  readonly tokens: TokenService;
  readonly metrics: ServerMetrics;
  /** The bound port, once started. */
  port: number;
  start(): Promise<number>;
  /** Graceful stop: not ready, refuse new work, close connections, quit Redis. */
  stop(): Promise<void>;
}

/**
 * The uWebSockets.js build to run on, or undefined for ws. Without a native build that fits, a node
 * told `ENGINE=uws` refuses to start (never the slow JavaScript shim); a node on the default engine
 * falls back to ws and says why, and what would give it uWebSockets.js.
 */
function chooseUws(config: ArenaConfig, log: Logger): Extract<UwsLoad, { native: true }> | undefined {
  if (config.engine !== "uws") return undefined;
  const loaded = loadUws();
  if (loaded.native) return loaded;
  if (config.engineChosen)
    throw new Error(
      `uWebSockets.js native binary is not in use (${loaded.reason}); refusing to run on its slow JavaScript fallback. Set ENGINE=ws to use the ws engine instead.`,
    );
  log.warn(
    { engine: "ws", nodeVersion: process.versions.node, tried: loaded.tried },
    `no uWebSockets.js native build fits Node ${process.versions.node} with this C library (each build's reason is in "tried"); running on the ws engine. uWebSockets.js runs on Node 20 with any glibc, and on Node 22 or 24 with glibc 2.38 or newer (Debian 13, Ubuntu 24.04); set ENGINE=ws to silence this`,
  );
  return undefined;
}

/** Builds an Arena node from its configuration. Nothing listens until `start()`. */
export function createArenaServer(options: ArenaServerOptions): ArenaServer {
  const { config } = options;
  const log = options.logger ?? createLogger(config.logLevel, config.nodeId);
  // Module paths in GAMES are loaded asynchronously, by createArena; built-in names need no wait.
  const games = options.games ?? new GameRegistry(builtinGames(config.games, config.gameEnv));
  const metrics = createServerMetrics(config.nodeId);
  const tokens = new TokenService(config.secret, config.guestTokenTtlSeconds, config.tokenClaims, config.tokenKeys);
  const uwsLoad = chooseUws(config, log);
  const redis = config.redisUrl ? connectRedis(config.redisUrl, config.redisCluster, config.nodeId, log) : undefined;
  let draining = false;

  const io: ArenaIo = new Server({
    maxHttpBufferSize: config.maxPayloadBytes,
    transports: ["websocket", "polling"],
    serveClient: false,
    pingInterval: 10_000,
    pingTimeout: 5_000,
    connectTimeout: 10_000,
    cors: { origin: true },
  });
  // Nodes reach each other's players through the relay, never through rooms, so the adapter only
  // carries what goes to a whole game (announcements). On a Cluster it is the sharded adapter with
  // one static channel per game: SPUBLISH to one shard, no cluster-bus broadcast of every message.
  if (redis?.cluster) io.adapter(createShardedAdapter(redis.pub, redis.sub, { channelPrefix: config.redisPrefix, subscriptionMode: "static" }));
  else if (redis) io.adapter(createAdapter(redis.pub, redis.sub, { key: config.redisPrefix, requestsTimeout: 3000 }));

  const cap = new ConnectionCap(config.maxConnections, log, metrics.registry);
  const readiness = () => {
    if (draining) return { ready: false as const, reason: "draining" };
    if (cap.near()) return { ready: false as const, reason: "near MAX_CONNECTIONS" };
    if (redis && !redis.ready()) return { ready: false as const, reason: "redis unreachable" };
    return { ready: true as const };
  };
  // While draining, new work is refused; running matches go on. A Redis outage needs no rule here:
  // the store answers UNAVAILABLE by itself, and locally hosted matches keep ticking.
  const refusal = (event: ClientEventName): ErrorBody | undefined =>
    draining && NEW_WORK.has(event) ? { code: ErrorCode.UNAVAILABLE, message: "this node is draining; try another" } : undefined;

  const mints = new GuestMints(config.guestTokensPerMinute);
  const proxies = new Set(config.trustProxy);
  const guestMints = (req: HttpRequest) => {
    const address = clientAddress(req.peer, req.forwardedFor, proxies);
    if (mints.allow(address)) return true;
    log.info({ address }, "guest token refused: too many from this address");
    return false;
  };
  const reads = new KeyedBuckets({ perSecond: config.httpReadsPerMinute / 60, burst: config.httpReadsPerMinute });
  const readAllowed = (req: HttpRequest) => {
    const address = clientAddress(req.peer, req.forwardedFor, proxies);
    if (reads.get(address).take() === "ok") return true;
    log.info({ address, path: req.path }, "HTTP request refused: too many from this address");
    return false;
  };
  const page = new PageFiles(config.pageDir);
  page
    .read()
    .catch((error: unknown) => log.warn({ err: error, dir: config.pageDir }, "the browser page cannot be read: / and /app.js answer 503 until it is built"));
  const handler = (req: HttpRequest) =>
    handleHttp(
      {
        tokens,
        guestTokens: config.guestTokens,
        guestMints,
        readAllowed,
        ...(config.admin ? { admin: adminAsset } : {}),
        games: () => games.describe(),
        readiness,
        metrics: metrics.registry,
        metricsHere: config.metricsPort === 0,
        latency: (tickRate) => services.streamSnapshot(tickRate),
        page,
        serves: (name) => games.loaded(name) !== undefined,
        watch: { store: services.watch, games: () => games.list().map((g) => g.name), nodes: () => services.liveNodes() },
      },
      req,
    );
  let transport: Transport;
  if (uwsLoad) {
    log.info({ engine: "uws", build: uwsLoad.build, binary: uwsLoad.binary, native: true }, "uWebSockets.js native binary loaded");
    transport = attachUws(uwsLoad.uws, io, handler, MAX_HTTP_BODY, config.reusePort);
  } else {
    log.info({ engine: "ws" }, "using the ws engine");
    transport = attachWs(io, handler, MAX_HTTP_BODY);
  }

  cap.guard(io.engine);
  if (config.admin) {
    instrumentAdmin(io, config.admin, (handshake) => socketAddress(handshake, proxies), log);
    log.info(
      { path: "/admin/", username: config.admin.username, mode: config.admin.mode, actions: config.admin.actions },
      "admin UI on (ADMIN_PASSWORD is set)",
    );
  }
  io.use((_socket, next) => next(Object.assign(new Error("unauthorized"), { data: { code: ErrorCode.UNAUTHORIZED } })));
  const shared: SharedParts = { config, log, metrics, redis, games };
  const namespaces = new Map(games.list().map((game) => [game.name, io.of(`/${game.name}`)]));
  // Per player, not per connection: reconnecting neither refills the event budget nor goes unnoticed.
  const eventBudgets = new PlayerBudgets(config.rateLimit);
  const connections = new ConnectionRate(config.connectionsPer10s);
  const services = createNodeServices(shared, namespaces, () => ({ connections: cap.open, capacity: cap.max, draining }));
  for (const nsp of namespaces.values()) {
    openGameNamespace(nsp, services.players, {
      tokens,
      log,
      metrics,
      eventBudgets,
      connections,
      draining: () => draining,
      refusal,
      sessions: services.sessions,
      channel: services.channel,
    });
  }

  const metricsServer =
    config.metricsPort === 0 ? undefined : new MetricsServer({ metrics: metrics.registry, latency: (tickRate) => services.streamSnapshot(tickRate) }, log);
  const server: ArenaServer = {
    config,
    io,
    log,
    tokens,
    metrics,
    port: 0,
    async start() {
      if (redis && !(await redis.waitReady(2000))) log.warn("redis is unreachable; starting anyway, not ready until it answers");
      await services.start();
      server.port = await transport.listen(config.host, config.port);
      if (metricsServer) {
        const port = await metricsServer.listen(config.host, config.metricsPort);
        log.info({ port }, "metrics listening on their own port");
      }
      log.info(
        {
          engine: transport.engine,
          host: config.host,
          port: server.port,
          redis: Boolean(redis),
          ...(config.redisUrl ? { redisUrl: redactUrl(config.redisUrl) } : {}),
          maxConnections: config.maxConnections,
          fdLimit: config.fdLimit ?? "unknown",
          games: games.list().map((g) => g.name),
        },
        "arena listening",
      );
      if (config.fdLimit !== undefined && config.maxConnections > connectionsBelow(config.fdLimit)) {
        log.warn(
          { maxConnections: config.maxConnections, fdLimit: config.fdLimit },
          "MAX_CONNECTIONS leaves too few file descriptors free: raise the open-file limit (LimitNOFILE)",
        );
      }
      if (config.secretGenerated) log.warn("ARENA_SECRET is not set: tokens are signed with a random secret that dies with this process");
      return server.port;
    },
    async stop() {
      if (draining) return;
      draining = true;
      log.info("draining: refusing new work");
      await services.drain(config.shutdownGraceMs);
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await services.stop();
      await transport.close();
      await metricsServer?.close();
      await redis?.quit();
      log.info("stopped");
    },
  };
  return server;
}
