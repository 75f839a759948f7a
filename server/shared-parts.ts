import type { GameRegistry } from "../game-rooms/index.ts";
import type { ArenaConfig } from "./config/index.ts";
import type { Logger } from "./logger.ts";
import type { ServerMetrics } from "./metrics.ts";
import type { RedisLinks } from "./redis.ts";

/** The parts of a running node that game services may use. */
export interface SharedParts {
  config: ArenaConfig;
  log: Logger;
  metrics: ServerMetrics;
  redis: RedisLinks | undefined;
  games: GameRegistry;
}
