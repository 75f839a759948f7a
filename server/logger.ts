import { pino, type Logger } from "pino";
import pretty from "pino-pretty";

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
    return pino(options, pretty({ colorize: process.stdout.isTTY === true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname", sync: true }));
  }
  return pino(options, destination ?? pino.destination({ sync: false }));
}
