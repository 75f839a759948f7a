import { Cluster, Redis, type ClusterOptions, type RedisOptions } from "ioredis";
import type { Logger } from "./logger.ts";

/** The connections a node keeps: commands (store), publish/subscribe (adapter), and the rooms' relay subscriber. */
export interface RedisLinks {
  cmd: RedisClient;
  pub: RedisClient;
  sub: RedisClient;
  /** A subscriber for the game rooms' node-to-node relay. */
  relay: RedisClient;
  /** Whether these are connections to a Redis Cluster. */
  cluster: boolean;
  /** True while all connections are up. */
  ready(): boolean;
  /** Resolves when all are up, or after `timeoutMs` (false) so that a node can start without Redis. */
  waitReady(timeoutMs: number): Promise<boolean>;
  quit(): Promise<void>;
}

/** A standalone Redis or a Redis Cluster: ioredis gives both the same commands. */
export type RedisClient = Redis | Cluster;

/** Seeds of a Cluster from `REDIS_URL`'s comma-separated URLs. */
function seeds(url: string): { host: string; port: number }[] {
  return url.split(",").map((seed) => {
    const parsed = new URL(seed.trim());
    return { host: parsed.hostname, port: Number(parsed.port || 6379) };
  });
}

/** Opens one client: a Cluster (its per-node connections share `options`) or a standalone Redis. */
export function openRedis(url: string, cluster: boolean, options: RedisOptions, shardedSubscribers = false): RedisClient {
  if (!cluster) return new Redis(url, options);
  const { enableOfflineQueue, ...redisOptions } = options;
  const first = new URL(url.split(",")[0]!.trim());
  const auth = {
    ...(first.username ? { username: decodeURIComponent(first.username) } : {}),
    ...(first.password ? { password: decodeURIComponent(first.password) } : {}),
  };
  const clusterOptions: ClusterOptions = {
    redisOptions: { ...redisOptions, ...auth, ...(first.protocol === "rediss:" ? { tls: {} } : {}) },
    clusterRetryStrategy: (times) => Math.min(times * 100, 2000),
    shardedSubscribers,
    ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
  };
  return new Cluster(seeds(url), clusterOptions);
}

function connect(url: string, cluster: boolean, role: string, nodeId: string, log: Logger, options: RedisOptions, shardedSubscribers = false): RedisClient {
  const client = openRedis(
    url,
    cluster,
    {
      lazyConnect: false,
      connectionName: `arena-${role}-${nodeId}`,
      retryStrategy: (times) => Math.min(times * 100, 2000),
      ...options,
    },
    shardedSubscribers,
  );
  let lastStatus = "";
  const report = (status: string, error?: Error) => {
    if (status === lastStatus) return;
    lastStatus = status;
    if (status === "ready") log.info({ redis: role }, "redis connection ready");
    else log.warn({ redis: role, status, err: error?.message }, "redis connection not ready");
  };
  client.on("ready", () => report("ready"));
  client.on("error", (error: Error) => report("error", error));
  client.on("end", () => report("end"));
  client.on("reconnecting", () => report(lastStatus === "ready" ? "reconnecting" : lastStatus));
  return client;
}

/**
 * The Redis adapter subscribes and unsubscribes (on close) without handling a refusal (a wrong
 * password, say), which would be an unhandled rejection; the connection's status log already
 * reports why, so it is handled here.
 */
function handledSubscriptions(client: RedisClient): RedisClient {
  const target = client as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const method of ["subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe"]) {
    const original = target[method]!.bind(client);
    target[method] = (...args: unknown[]) => {
      const result = original(...args);
      if (result instanceof Promise) result.catch(() => undefined);
      return result;
    };
  }
  return client;
}

/** A PING every half second; Redis counts as unreachable while one has waited longer than this. */
const PROBE_EVERY_MS = 500;
const UNANSWERED_MS = 1500;

/**
 * Whether Redis answers: a connection can stay open while nothing gets through (a network
 * partition, a black hole), and its status alone would call that ready.
 */
function answerProbe(cmd: RedisClient, log: Logger): { answering(): boolean; stop(): void } {
  let waitingSince = 0;
  let reported = false;
  const timer = setInterval(() => {
    if (waitingSince && Date.now() - waitingSince > UNANSWERED_MS && !reported) {
      reported = true;
      log.warn({ redis: "cmd", waitedMs: Date.now() - waitingSince }, "redis is not answering");
    }
    if (waitingSince || cmd.status !== "ready") return;
    waitingSince = Date.now();
    const answered = () => {
      waitingSince = 0;
      if (reported) log.info({ redis: "cmd" }, "redis answering again");
      reported = false;
    };
    cmd.ping().then(answered, answered);
  }, PROBE_EVERY_MS);
  timer.unref();
  return {
    answering: () => !waitingSince || Date.now() - waitingSince <= UNANSWERED_MS,
    stop: () => clearInterval(timer),
  };
}

/**
 * Opens the node's Redis connections. They keep retrying while Redis is down; the command
 * connection fails fast instead of queueing (callers answer UNAVAILABLE), the adapter's
 * connections queue so that subscriptions come back by themselves.
 */
export function connectRedis(url: string, cluster: boolean, nodeId: string, log: Logger): RedisLinks {
  const cmd = connect(url, cluster, "cmd", nodeId, log, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  const pub = connect(url, cluster, "pub", nodeId, log, { maxRetriesPerRequest: 3 });
  // On a Cluster the adapter is the sharded one (SSUBSCRIBE), like the relay.
  const sub = handledSubscriptions(connect(url, cluster, "sub", nodeId, log, { maxRetriesPerRequest: null }, cluster));
  // On a Cluster the relay uses sharded pub/sub (SPUBLISH to the slot of the node's channel):
  // one shard carries a node's messages, in order, and no other shard sees them.
  const relay = connect(url, cluster, "relay", nodeId, log, { maxRetriesPerRequest: null }, cluster);
  const all = [cmd, pub, sub, relay];
  const probe = answerProbe(cmd, log);
  return {
    cmd,
    pub,
    sub,
    relay,
    cluster,
    ready: () => all.every((client) => client.status === "ready") && probe.answering(),
    async waitReady(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (all.every((client) => client.status === "ready")) return true;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return false;
    },
    async quit() {
      probe.stop();
      await Promise.all(
        all.map(async (client) => {
          if (client.status === "ready") await client.quit().catch(() => client.disconnect());
          else client.disconnect();
        }),
      );
    },
  };
}
