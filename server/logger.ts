import { pino, type Logger } from "pino";

export type { Logger };

/**
 * Errors as pino serializes them, without what a failed Redis command carried: its arguments can
 * hold a password (AUTH) or a player's data.
 */
function errorWithoutArguments(error: Error): unknown {
  const serialized = pino.stdSerializers.err(error) as unknown as Record<string, unknown>;
  const command = serialized.command as { name?: unknown } | undefined;
  if (command && typeof command === "object") serialized.command = { name: command.name };
  return serialized;
}

/** The process logger: JSON lines, each carrying the node id. */
export function createLogger(level: string, nodeId: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    { level, base: { node: nodeId }, timestamp: pino.stdTimeFunctions.isoTime, serializers: { err: errorWithoutArguments } },
    destination ?? pino.destination({ sync: false }),
  );
}
