import type { TokenClaims } from "../edge/auth.ts";
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { DEFAULT_PAGE_DIR } from "../http/page-files.ts";
import { connectionsBelow, fileDescriptorLimit } from "../edge/connection-cap.ts";
import { addresses, boolean, ConfigError, decimal, integer, oneOf, optionalClaim, type Env } from "./config-values.ts";
import { tokenKeys, type TokenKeys } from "./token-keys.ts";

export { ConfigError } from "./config-values.ts";
import { BUILTIN_GAMES } from "../../game-rooms/index.ts";

export type EngineName = "uws" | "ws";

/** Everything the server reads from its environment, validated. */
export interface ArenaConfig {
  port: number;
  /** `CONNECTIONS_PER_10S`: connections a player may open per game and node within 10 s. */
  connectionsPer10s: number;
  /** `METRICS_PORT`: serve `/metrics` there instead of on `PORT` (0: on `PORT`). */
  metricsPort: number;
  host: string;
  /** A Redis URL; with `redisCluster`, one or more comma-separated seed URLs of a Redis Cluster. */
  redisUrl: string | undefined;
  /** `REDIS_CLUSTER=true`: `redisUrl` names seeds of a Redis Cluster. */
  redisCluster: boolean;
  /** Prefix of every Redis key and channel, so several deployments can share one Redis. */
  redisPrefix: string;
  secret: string;
  /** True when the secret was generated for this process (single node only). */
  secretGenerated: boolean;
  engine: EngineName;
  /** Whether `ENGINE` named the engine: a named uws refuses to start without a native build; the default falls back to ws. */
  engineChosen: boolean;
  logLevel: string;
  /** `LOG_FORMAT`: `json` lines, `pretty` for people (pino-pretty), or `auto`: pretty on a terminal. */
  logFormat: "json" | "pretty" | "auto";
  guestTokens: boolean;
  guestTokenTtlSeconds: number;
  /** `TOKEN_ISSUER` / `TOKEN_AUDIENCE`: claims every token must carry, and guest tokens are minted with. */
  tokenClaims: TokenClaims;
  /** `TOKEN_SECRETS`, `TOKEN_JWKS_URL`: more keys tokens may be signed with. */
  tokenKeys: TokenKeys;
  /** `MAX_CONNECTIONS`: open connections past which new ones get 503 (default: below the descriptor limit). */
  maxConnections: number;
  /** The process's open-file limit, as read at start (undefined where it cannot be read). */
  fdLimit: number | undefined;
  /** `GUEST_TOKENS_PER_MINUTE`: guest tokens one client address may mint per minute (a bucket that size). */
  guestTokensPerMinute: number;
  /** `HTTP_READS_PER_MINUTE`: requests one client address may make per minute to the pages and the watching routes (per node). */
  httpReadsPerMinute: number;
  /** `TRUST_PROXY`: addresses of proxies whose `X-Forwarded-For` names the client. */
  trustProxy: string[];
  /** `ADMIN_PASSWORD` (and `ADMIN_USERNAME`): turns the Socket.IO Admin UI on at `/admin/`, behind basic auth. */
  admin: AdminSettings | undefined;
  /** `REUSE_PORT=true` (uws only): share the port with other processes instead of failing. */
  reusePort: boolean;
  nodeId: string;
  /** `PUBLIC_URL`: where clients reach this node directly (sent in `match:found.host.url` so they can move to the host). */
  publicUrl: string | undefined;
  /** `REGION`: where this node runs (default `local`). */
  region: string;
  /** `PAGE_DIR`: where the build step wrote the browser page and the games' browser modules (default `dist/browser/`). */
  pageDir: string;
  maxPayloadBytes: number;
  rateLimit: { perSecond: number; burst: number; disconnectAfter: number };
  /** On SIGTERM, how long running matches may go on before they are aborted. */
  shutdownGraceMs: number;
  rooms: {
    graceMs: number;
    lagMs: number;
    leaseMs: number;
    /** How long a finished match's replay is kept. */
    replayTtlMs: number;
    /** `REPLAY_MAX_INPUTS`: the most inputs a replay keeps (the replay is marked truncated past it). */
    maxReplayInputs: number;
    /** `REPLAY_MEMORY_MB`: the memory the in-memory store gives replays, the oldest dropped first (Redis: size it from `REPLAY_TTL`). */
    replayMemoryBytes: number;
    maxSpectators: number;
    /** How often a host writes its matches' snapshots (another node resumes them when it dies); 0: never. */
    snapshotMs: number;
    /** Clients acknowledge every state whose tick is a multiple of this (real-time games). */
    stateAckEvery: number;
  };
  /** `GAMES`: the games this node loads, built-in names and module paths (default: every built-in game). */
  games: string[];
  /** The environment the games read their own settings from (`<PREFIX>_<SETTING>`). */
  gameEnv: Env;
  matchmaker: {
    intervalMs: number;
    ticketTtlMs: number;
    readyTimeoutMs: number;
    /** How long a challenge waits for its answer. */
    challengeMs: number;
    /** How long a private code is good for. */
    privateCodeMs: number;
    /** How long after a match's end its players may ask for a rematch (at most a minute: the end's record lasts that long). */
    rematchMs: number;
    /** `RANKED_DIRECT_MATCHES`: whether challenges, private codes and rematches may be rated (default false: casual). */
    rankedDirect: boolean;
    /** `RATING_SYSTEM`: OpenSkill (ratings with uncertainty, pairing on predicted win chance) or Elo. */
    ratingSystem: "openskill" | "elo";
    /** OpenSkill: the win-chance window 0.5 +- w, widening with the wait up to a cap. */
    chanceWindow: number;
    chancePerSecond: number;
    chanceMax: number;
    /** The latency window (ms) both players must be within in a region, widening with the wait up to a cap. */
    latencyWindowMs: number;
    latencyPerSecondMs: number;
    latencyMaxMs: number;
    /** Elo: the rating window (points), widening with the wait (0 max: no cap). */
    initialWindow: number;
    widenPerSecond: number;
    maxWindow: number;
    eloK: number;
    defaultRating: number;
  };
}

/** The Admin UI's login and what it may do. */
export interface AdminSettings {
  username: string;
  password: string;
  /** `ADMIN_ACTIONS`: the UI may act (emit, join, leave, disconnect sockets); off by default: it only looks. */
  actions: boolean;
  /**
   * `ADMIN_MODE`: `production` (default) sends counts only; `development` shows every socket, room
   * and event, at a cost per event (each is sent to the admin namespace: a Redis publish with `REDIS_URL`).
   */
  mode: "production" | "development";
}

function adminLogin(env: Env): AdminSettings | undefined {
  const password = env.ADMIN_PASSWORD ?? "";
  if (password === "") return undefined;
  if (password.length < 12) throw new ConfigError("ADMIN_PASSWORD", "at least 12 characters", "<hidden>");
  const username = env.ADMIN_USERNAME && env.ADMIN_USERNAME !== "" ? env.ADMIN_USERNAME : "admin";
  const mode = env.ADMIN_MODE && env.ADMIN_MODE !== "" ? env.ADMIN_MODE : "production";
  if (mode !== "production" && mode !== "development") throw new ConfigError("ADMIN_MODE", "production or development", mode);
  return { username, password, actions: boolean(env, "ADMIN_ACTIONS", false), mode };
}

/** A URL (or comma-separated URLs) fit for a log or an error: credentials replaced by `***`. */
export function redactUrl(raw: string): string {
  return raw
    .split(",")
    .map((seed) => seed.replace(/^(\s*[a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, "$1***@"))
    .join(",");
}

function isRedisUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return url.protocol === "redis:" || url.protocol === "rediss:";
  } catch {
    return false;
  }
}

/** `GAMES`: comma-separated built-in names and module paths; unset: every built-in game. */
function gameList(env: Env): string[] {
  const raw = env.GAMES?.trim();
  if (!raw) return BUILTIN_GAMES.map((g) => g.name);
  const entries = raw.split(",").map((entry) => entry.trim());
  if (entries.some((entry) => entry === "")) throw new ConfigError("GAMES", "comma-separated game names or module paths, none empty", raw);
  return entries;
}

function redisUrl(env: Env, cluster: boolean): string | undefined {
  const raw = env.REDIS_URL;
  if (raw === undefined || raw === "") return undefined;
  if (!cluster && isRedisUrl(raw)) return raw;
  if (cluster && raw.split(",").every((seed) => isRedisUrl(seed.trim()))) return raw;
  throw new ConfigError(
    "REDIS_URL",
    cluster ? "one or more comma-separated redis:// or rediss:// URLs (Cluster seeds)" : "a redis:// or rediss:// URL",
    redactUrl(raw),
  );
}

function prefix(env: Env): string {
  const raw = env.REDIS_PREFIX;
  if (raw === undefined || raw === "") return "arena";
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(raw)) throw new ConfigError("REDIS_PREFIX", "1-64 letters, digits, _ . -", raw);
  return raw;
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** Reads and validates the configuration; throws a ConfigError naming the first bad variable. */
export function loadConfig(env: Env = process.env): ArenaConfig {
  const cluster = boolean(env, "REDIS_CLUSTER", false);
  const url = redisUrl(env, cluster);
  if (cluster && !url) throw new ConfigError("REDIS_CLUSTER", "REDIS_URL set to the Cluster's seeds", "true");
  const rawSecret = env.ARENA_SECRET ?? "";
  if (url && rawSecret === "") {
    throw new ConfigError("ARENA_SECRET", "a secret of at least 32 characters, required when REDIS_URL is set", "");
  }
  if (rawSecret !== "" && rawSecret.length < 32) {
    throw new ConfigError("ARENA_SECRET", "a secret of at least 32 characters", "<hidden>");
  }
  const host = env.HOST && env.HOST !== "" ? env.HOST : "0.0.0.0";
  const nodeId = env.NODE_ID && env.NODE_ID !== "" ? env.NODE_ID : `node-${randomBytes(3).toString("hex")}`;
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(nodeId)) throw new ConfigError("NODE_ID", "1-64 letters, digits, _ . -", nodeId);
  const publicUrl = env.PUBLIC_URL && env.PUBLIC_URL !== "" ? env.PUBLIC_URL : undefined;
  if (publicUrl !== undefined && !/^https?:\/\/[^\s/]+\/?$/.test(publicUrl)) throw new ConfigError("PUBLIC_URL", "an http:// or https:// origin", publicUrl);
  const fdLimit = fileDescriptorLimit();
  const engine = oneOf(env, "ENGINE", ["uws", "ws"] as const, "uws");
  const reusePort = boolean(env, "REUSE_PORT", false);
  if (reusePort && engine !== "uws") throw new ConfigError("REUSE_PORT", "true only with ENGINE=uws (Node.js 20's net has no port sharing)", "true");
  const region = env.REGION && env.REGION !== "" ? env.REGION : "local";
  if (!/^[a-z0-9-]{1,32}$/.test(region)) throw new ConfigError("REGION", "1-32 lowercase letters, digits and -", region);
  return {
    port: integer(env, "PORT", 3000, 0, 65535),
    metricsPort: integer(env, "METRICS_PORT", 0, 0, 65535),
    connectionsPer10s: integer(env, "CONNECTIONS_PER_10S", 8, 1, 10_000),
    host,
    redisUrl: url,
    redisCluster: cluster,
    redisPrefix: prefix(env),
    secret: rawSecret !== "" ? rawSecret : randomBytes(32).toString("hex"),
    secretGenerated: rawSecret === "",
    engine,
    engineChosen: env.ENGINE !== undefined && env.ENGINE !== "",
    reusePort,
    fdLimit,
    maxConnections: integer(env, "MAX_CONNECTIONS", connectionsBelow(fdLimit), 1, 10_000_000),
    logLevel: oneOf(env, "LOG_LEVEL", LOG_LEVELS, "info"),
    logFormat: oneOf(env, "LOG_FORMAT", ["json", "pretty", "auto"] as const, "auto"),
    guestTokens: boolean(env, "GUEST_TOKENS", true),
    guestTokenTtlSeconds: integer(env, "GUEST_TOKEN_TTL", 86_400, 5, 31_536_000),
    guestTokensPerMinute: integer(env, "GUEST_TOKENS_PER_MINUTE", 60, 1, 10_000_000),
    httpReadsPerMinute: integer(env, "HTTP_READS_PER_MINUTE", 300, 1, 10_000_000),
    trustProxy: addresses(env, "TRUST_PROXY"),
    admin: adminLogin(env),
    tokenClaims: { ...optionalClaim(env, "TOKEN_ISSUER", "issuer"), ...optionalClaim(env, "TOKEN_AUDIENCE", "audience") },
    tokenKeys: tokenKeys(env),
    nodeId,
    publicUrl: publicUrl?.replace(/\/$/, ""),
    region,
    pageDir: env.PAGE_DIR && env.PAGE_DIR !== "" ? resolve(env.PAGE_DIR) : DEFAULT_PAGE_DIR,
    maxPayloadBytes: integer(env, "MAX_PAYLOAD_BYTES", 8192, 512, 1_048_576),
    rateLimit: {
      perSecond: integer(env, "RATE_LIMIT_PER_SECOND", 40, 1, 100_000),
      burst: integer(env, "RATE_LIMIT_BURST", 80, 1, 100_000),
      disconnectAfter: integer(env, "RATE_LIMIT_DISCONNECT_AFTER", 100, 1, 1_000_000),
    },
    shutdownGraceMs: integer(env, "SHUTDOWN_GRACE_MS", 10_000, 0, 600_000),
    rooms: {
      graceMs: integer(env, "RECONNECT_GRACE_MS", 10_000, 0, 600_000),
      lagMs: integer(env, "LAG_THRESHOLD_MS", 1000, 50, 600_000),
      stateAckEvery: integer(env, "STATE_ACK_EVERY", 1, 1, 60),
      leaseMs: integer(env, "HOST_LEASE_MS", 1500, 300, 600_000),
      snapshotMs: integer(env, "SNAPSHOT_INTERVAL_MS", 1000, 0, 60_000),
      replayTtlMs: integer(env, "REPLAY_TTL", 86_400, 1, 31_536_000) * 1000,
      maxReplayInputs: integer(env, "REPLAY_MAX_INPUTS", 20_000, 1, 1_000_000),
      replayMemoryBytes: integer(env, "REPLAY_MEMORY_MB", 256, 1, 1_048_576) * 1024 * 1024,
      maxSpectators: integer(env, "MAX_SPECTATORS", 100, 0, 100_000),
    },
    games: gameList(env),
    gameEnv: env,
    matchmaker: {
      intervalMs: integer(env, "MATCHMAKER_INTERVAL_MS", 100, 10, 60_000),
      ticketTtlMs: integer(env, "TICKET_TTL_MS", 15_000, 1000, 3_600_000),
      readyTimeoutMs: integer(env, "READY_TIMEOUT_MS", 10_000, 500, 600_000),
      challengeMs: integer(env, "CHALLENGE_TIMEOUT_MS", 30_000, 500, 600_000),
      privateCodeMs: integer(env, "PRIVATE_CODE_TTL_MS", 600_000, 500, 86_400_000),
      rematchMs: integer(env, "REMATCH_WINDOW_MS", 30_000, 500, 60_000),
      rankedDirect: boolean(env, "RANKED_DIRECT_MATCHES", false),
      ratingSystem: oneOf(env, "RATING_SYSTEM", ["openskill", "elo"] as const, "openskill"),
      chanceWindow: decimal(env, "WIN_CHANCE_WINDOW", 0.03, 0, 0.5),
      chancePerSecond: decimal(env, "WIN_CHANCE_WIDEN_PER_SECOND", 0.06, 0, 0.5),
      chanceMax: decimal(env, "WIN_CHANCE_WINDOW_MAX", 0.2, 0, 0.5),
      latencyWindowMs: integer(env, "LATENCY_WINDOW_MS", 80, 0, 60_000),
      latencyPerSecondMs: integer(env, "LATENCY_WINDOW_WIDEN_PER_SECOND", 20, 0, 60_000),
      latencyMaxMs: integer(env, "LATENCY_WINDOW_MAX_MS", 400, 0, 60_000),
      initialWindow: integer(env, "RATING_WINDOW", 100, 0, 100_000),
      widenPerSecond: integer(env, "RATING_WINDOW_WIDEN_PER_SECOND", 50, 0, 100_000),
      maxWindow: integer(env, "RATING_WINDOW_MAX", 0, 0, 1_000_000),
      eloK: integer(env, "ELO_K", 32, 1, 400),
      defaultRating: integer(env, "DEFAULT_RATING", 1200, 0, 10_000),
    },
  };
}
