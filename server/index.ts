export { createArenaServer, type ArenaServer, type ArenaServerOptions, type SharedParts } from "./arena-server.ts";
export { loadConfig, ConfigError, type ArenaConfig, type EngineName } from "./config/index.ts";
export { createLogger, type Logger } from "./logger.ts";
export { loadUws } from "./transport/index.ts";
export { TokenService } from "./edge/index.ts";
export { createArena, type CreateArenaOptions } from "./create-arena.ts";
export { GameSetMismatch } from "./game-set.ts";
