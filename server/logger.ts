import { pino, type Logger } from "pino";

export type { Logger };

/** The process logger: JSON lines, each carrying the node id. */
export function createLogger(level: string, nodeId: string, destination?: NodeJS.WritableStream): Logger {
  return pino({ level, base: { node: nodeId }, timestamp: pino.stdTimeFunctions.isoTime }, destination ?? pino.destination({ sync: false }));
}
