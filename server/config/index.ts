/**
 * The node's configuration: every environment variable the server reads, validated into one
 * `ArenaConfig`, and the `ConfigError` that names a bad one. Games read their own settings
 * (`game-rooms/games/define-game.ts`); this folder reads the server's.
 */
export { ConfigError, type Env } from "./config-values.ts";
export { loadConfig, redactUrl, type AdminSettings, type ArenaConfig, type EngineName } from "./config.ts";
