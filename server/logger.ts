import { createRequire } from "node:module";
import { pino, type Logger } from "pino";

export type { Logger };

/**
 * Errors as pino serializes them, without what a failed Redis command carried: its arguments can
 * hold a password (AUTH) or a player's data.
 */
function errorWithoutArguments(error: Error): unknown {
  const serialized: Record<string, unknown> = { ...pino.stdSerializers.err(error) };
  const command = serialized.command as { name?: unknown } | undefined;
  if (command && typeof command === "object") serialized.command = { name: command.name };
  return serialized;
}

/**
 * The process logger: JSON lines, each carrying the node id; `pretty` (or `auto` on a terminal)
 * prints them for people with pino-pretty instead.
 */
export function createLogger(level: string, nodeId: string, destination?: NodeJS.WritableStream, format: "json" | "pretty" | "auto" = "json"): Logger {
  const options = { level, base: { node: nodeId }, timestamp: pino.stdTimeFunctions.isoTime, serializers: { err: errorWithoutArguments } };
  if (!destination && (format === "pretty" || (format === "auto" && process.stdout.isTTY))) {
    const pretty = prettyPrinter();
    if (pretty) return pino(options, pretty({ colorize: process.stdout.isTTY === true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname", sync: true }));
    const log = pino(options, pino.destination({ sync: false }));
    if (format === "pretty") log.warn("LOG_FORMAT=pretty, but pino-pretty is not installed (npm ci --omit=dev leaves it out): logging JSON lines");
    return log;
  }
  return pino(options, destination ?? pino.destination({ sync: false }));
}

type PrettyFactory = (options: Record<string, unknown>) => NodeJS.WritableStream;

/** pino-pretty when it is installed: a development convenience, not needed in production. */
function prettyPrinter(): PrettyFactory | undefined {
  try {
    const loaded = createRequire(import.meta.url)("pino-pretty") as PrettyFactory | { default: PrettyFactory };
    return typeof loaded === "function" ? loaded : loaded.default;
  } catch {
    return undefined;
  }
}
