export { createArenaServer, type ArenaServer, type ArenaServerOptions, type SharedParts } from "./arena-server.ts";
export { loadConfig, ConfigError, type ArenaConfig, type EngineName } from "./config.ts";
export { createLogger, type Logger } from "./logger.ts";
export { loadUws } from "./uws-native.ts";
export { TokenService } from "./auth.ts";
export { createArena, type CreateArenaOptions } from "./create-arena.ts";
export { GameSetMismatch } from "./game-set.ts";
