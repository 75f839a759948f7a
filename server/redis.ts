import { Redis, type RedisOptions } from "ioredis";
import type { Logger } from "./logger.ts";

/** The connections a node keeps: commands (store), publish/subscribe (adapter), and the rooms' relay subscriber. */
export interface RedisLinks {
  cmd: Redis;
  pub: Redis;
  sub: Redis;
  /** A subscriber for the game rooms' node-to-node relay. */
  relay: Redis;
  /** True while all connections are up. */
  ready(): boolean;
  /** Resolves when all are up, or after `timeoutMs` (false) so that a node can start without Redis. */
  waitReady(timeoutMs: number): Promise<boolean>;
  quit(): Promise<void>;
}

function connect(url: string, role: string, nodeId: string, log: Logger, options: RedisOptions): Redis {
  const client = new Redis(url, {
    lazyConnect: false,
    connectionName: `arena-${role}-${nodeId}`,
    retryStrategy: (times) => Math.min(times * 100, 2000),
    ...options,
  });
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
 * Opens the node's Redis connections. They keep retrying while Redis is down; the command
 * connection fails fast instead of queueing (callers answer UNAVAILABLE), the adapter's
 * connections queue so that subscriptions come back by themselves.
 */
export function connectRedis(url: string, nodeId: string, log: Logger): RedisLinks {
  const cmd = connect(url, "cmd", nodeId, log, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  const pub = connect(url, "pub", nodeId, log, { maxRetriesPerRequest: 3 });
  const sub = connect(url, "sub", nodeId, log, { maxRetriesPerRequest: null });
  const relay = connect(url, "relay", nodeId, log, { maxRetriesPerRequest: null });
  const all = [cmd, pub, sub, relay];
  return {
    cmd,
    pub,
    sub,
    relay,
    ready: () => all.every((client) => client.status === "ready"),
    async waitReady(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (all.every((client) => client.status === "ready")) return true;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return false;
    },
    async quit() {
      await Promise.all(
        all.map(async (client) => {
          if (client.status === "ready") await client.quit().catch(() => client.disconnect());
          else client.disconnect();
        }),
      );
    },
  };
}
