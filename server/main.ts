import { GameLoadError, GameRegistry, GameSettingError, loadGames } from "../game-rooms/index.ts";
import { createArenaServer, ConfigError, createLogger, loadConfig, type ArenaConfig } from "./index.ts";

/** The process entry point: `npm start`. */
async function main(): Promise<void> {
  let config: ArenaConfig;
  let games: GameRegistry;
  try {
    config = loadConfig();
    games = new GameRegistry(await loadGames(config.games, { env: config.gameEnv }));
  } catch (error) {
    if (error instanceof ConfigError || error instanceof GameLoadError || error instanceof GameSettingError) {
      process.stderr.write(`arena: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const log = createLogger(config.logLevel, config.nodeId, undefined, config.logFormat);
  process.on("uncaughtException", (error) => log.error({ err: error }, "uncaught exception"));
  process.on("unhandledRejection", (error) => log.error({ err: error }, "unhandled rejection"));

  let server;
  try {
    server = createArenaServer({ config, logger: log, games });
    await server.start();
  } catch (error) {
    log.fatal({ err: error }, (error as Error).message);
    log.flush();
    process.stderr.write(`arena: ${(error as Error).message}\n`);
    setTimeout(() => process.exit(1), 50);
    return;
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    const force = setTimeout(() => {
      log.error("shutdown took too long; exiting");
      log.flush();
      process.exit(1);
    }, config.shutdownGraceMs + 15_000);
    force.unref();
    server.stop().then(
      () => {
        log.flush();
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, "shutdown failed");
        log.flush();
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  // Started with --expose-gc (the soak bench): SIGUSR2 collects and logs the heap that is left.
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    process.on("SIGUSR2", () => {
      gc();
      const { heapUsed, rss } = process.memoryUsage();
      log.info({ heapUsed, rss }, "heap after a forced collection");
    });
  }
}

void main();
