import type {} from "vitest";
import type { TestProject } from "vitest/node";
import { startPrivateRedis, startRedisCluster, type PrivateRedis, type PrivateRedisCluster } from "../../harness/index.ts";
import { writeBrowserBundle } from "../../clients/browser/build.ts";
import { BUILTIN_GAMES } from "../../game-rooms/games/builtin.ts";
import { builtinGames } from "../../game-rooms/games/load-games.ts";
import { TEST_PAGE_DIR } from "../../vitest.config.ts";

declare module "vitest" {
  export interface ProvidedContext {
    redisUrl: string;
    /** Seeds of a 3-master Redis Cluster (comma-separated URLs). */
    redisClusterUrl: string;
  }
}

let redis: PrivateRedis | undefined;
let cluster: PrivateRedisCluster | undefined;

/**
 * Builds the browser page, and starts the suite's private Redis and private 3-master Redis Cluster, unless REDIS_URL and
 * REDIS_CLUSTER_URL name ones to use; stops what it started at the end.
 */
export async function setup(project: TestProject): Promise<void> {
  // The page's build step, as `npm start` runs it: the suite's servers serve these files (PAGE_DIR).
  await writeBrowserBundle(
    TEST_PAGE_DIR,
    builtinGames(BUILTIN_GAMES.map((g) => g.name)).map((g) => ({ name: g.definition.name, ...g })),
  );
  if (process.env.REDIS_URL) project.provide("redisUrl", process.env.REDIS_URL);
  else {
    redis = await startPrivateRedis();
    project.provide("redisUrl", redis.url);
  }
  if (process.env.REDIS_CLUSTER_URL) project.provide("redisClusterUrl", process.env.REDIS_CLUSTER_URL);
  else {
    cluster = await startRedisCluster();
    project.provide("redisClusterUrl", cluster.url);
  }
}

export async function teardown(): Promise<void> {
  await Promise.all([redis?.stop(), cluster?.stop()]);
}
