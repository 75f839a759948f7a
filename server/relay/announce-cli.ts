/**
 * `npm run announce -- --game pong "Server restarts in 5 minutes"`
 * Needs REDIS_URL (with REDIS_CLUSTER=true for a Cluster, and REDIS_PREFIX when the nodes use one).
 */
import { parseArgs } from "node:util";
import { announce } from "./announce.ts";
import { ConfigError, loadConfig } from "../config/config.ts";
import { openRedis } from "../redis.ts";

const { values, positionals } = parseArgs({ options: { game: { type: "string" } }, allowPositionals: true });
const text = positionals.join(" ").trim();
if (!values.game || !/^[a-z][a-z0-9-]{0,31}$/.test(values.game) || text === "" || text.length > 500) {
  process.stderr.write('usage: npm run announce -- --game <game> "text (1-500 characters)"\n');
  process.exit(2);
}
let url: string | undefined;
let cluster = false;
let prefix = "arena";
try {
  const config = loadConfig({ ...process.env, ARENA_SECRET: process.env.ARENA_SECRET || "x".repeat(32) });
  url = config.redisUrl;
  cluster = config.redisCluster;
  prefix = config.redisPrefix;
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`announce: ${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
if (!url) {
  process.stderr.write("announce: set REDIS_URL to the Redis your nodes use\n");
  process.exit(2);
}
const redis = openRedis(url, cluster, { maxRetriesPerRequest: 2 });
redis.on("error", () => undefined);
/** Resolves once connected (a Cluster: its slots known), rejects after `ms`. */
function ready(ms: number): Promise<void> {
  if (redis.status === "ready") return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    redis.once("ready", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
try {
  await ready(5000);
  const sent = await announce(redis, prefix, values.game, text);
  process.stdout.write(`announced to /${values.game} at ${new Date(sent.at).toISOString()}: ${text}\n`);
} catch (error) {
  process.stderr.write(`announce: could not reach Redis: ${(error as Error).message}\n`);
  process.exitCode = 1;
} finally {
  redis.disconnect();
}
