import { randomBytes } from "node:crypto";
import { pino } from "pino";
import { inject } from "vitest";
import { GameRegistry, loadGames } from "../../game-rooms/index.ts";
import { createArenaServer, loadConfig, type ArenaServer, type EngineName } from "../../server/index.ts";

export const ENGINES: EngineName[] = ["uws", "ws"];

/** A secret shared by the nodes of one test cluster. */
export function testSecret(): string {
  return randomBytes(24).toString("hex");
}

/** A Redis key prefix private to one test cluster, so parallel test files never meet in Redis. */
export function testPrefix(): string {
  return `t${randomBytes(5).toString("hex")}`;
}

export interface InProcessServer {
  server: ArenaServer;
  url: string;
  stop(): Promise<void>;
}

/** Starts an Arena node in this process on a free port; `games` as `GAMES` names them (default: the built-in ones). */
export async function startServer(env: Record<string, string> = {}, games?: string[]): Promise<InProcessServer> {
  // Test files mint many guests from one address; the test of that limit sets its own.
  const config = loadConfig({
    HOST: "127.0.0.1",
    PORT: "0",
    LOG_LEVEL: "silent",
    GUEST_TOKENS_PER_MINUTE: "1000000",
    HTTP_READS_PER_MINUTE: "1000000",
    // the page the suite's setup built (vitest.config.ts)
    ...(process.env.PAGE_DIR ? { PAGE_DIR: process.env.PAGE_DIR } : {}),
    ...env,
  });
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
  const server = createArenaServer({ config, logger, ...(games ? { games: new GameRegistry(await loadGames(games, { env })) } : {}) });
  const port = await server.start();
  return { server, url: `http://127.0.0.1:${port}`, stop: () => server.stop() };
}

export { spawnNode, type ChildNode } from "../../harness/index.ts";
import type { ChildNode } from "../../harness/index.ts";

export type RedisKind = "redis" | "redis-cluster";

/** The environment that points nodes at the suite's private Redis, standalone or Cluster. */
export function redisEnv(kind: RedisKind): Record<string, string> {
  return kind === "redis" ? { REDIS_URL: inject("redisUrl") } : { REDIS_URL: inject("redisClusterUrl"), REDIS_CLUSTER: "true" };
}

/** Multi-node suites run on both engines with a standalone Redis, and on uws with a Redis Cluster. */
export const SETUPS: [EngineName, RedisKind][] = [
  ["uws", "redis"],
  ["ws", "redis"],
  ["uws", "redis-cluster"],
];

/**
 * Stops every node of the list and empties it; then fails with the first node that logged an
 * uncaught exception or an unhandled rejection (a node killed on purpose before counts too).
 */
export async function stopAll(nodes: ChildNode[]): Promise<void> {
  const results = await Promise.allSettled(nodes.splice(0).map((n) => n.kill()));
  for (const result of results) if (result.status === "rejected") throw result.reason;
}
