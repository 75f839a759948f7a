import type { GameService } from "../game-namespace.ts";
import { chatHandlers } from "./chat.ts";
import { connectedHandler, disconnectedHandler } from "./connection.ts";
import type { HandlerDeps } from "./context.ts";
import { inputNoAnswerHandler, matchHandlers, stateAckHandler } from "./match.ts";
import { queueHandlers } from "./queue.ts";
import { statsHandlers } from "./stats.ts";

export type { HandlerDeps } from "./context.ts";

/** Every player event of every game namespace, and the connection hooks. */
export function playerService(deps: HandlerDeps): GameService {
  return {
    handlers: { ...queueHandlers(deps), ...matchHandlers(deps), ...chatHandlers(deps), ...statsHandlers(deps) },
    inputNoAnswer: inputNoAnswerHandler(deps),
    stateAck: stateAckHandler(deps),
    connected: connectedHandler(deps),
    disconnected: disconnectedHandler(deps),
  };
}
