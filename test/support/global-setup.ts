import type {} from "vitest";
import type { TestProject } from "vitest/node";
import { startPrivateRedis, type PrivateRedis } from "./redis-process.ts";

declare module "vitest" {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

let redis: PrivateRedis | undefined;

/** Starts the suite's private Redis unless REDIS_URL names one; stops it at the end. */
export async function setup(project: TestProject): Promise<void> {
  if (process.env.REDIS_URL) {
    project.provide("redisUrl", process.env.REDIS_URL);
    return;
  }
  redis = await startPrivateRedis();
  project.provide("redisUrl", redis.url);
}

export async function teardown(): Promise<void> {
  await redis?.stop();
}
