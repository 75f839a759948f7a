import type { GameService } from "../game-namespace.ts";
import { chatBudget, chatHandlers } from "./chat.ts";
import { connectedHandler, disconnectedHandler } from "./connection.ts";
import type { HandlerDeps } from "./context.ts";
import { lobbyHandlers } from "./lobby.ts";
import { inputHandler, matchHandlers, stateAckHandler } from "./match.ts";
import { queueHandlers } from "./queue.ts";
import { statsHandlers } from "./stats.ts";
import { watchHandlers } from "./watch.ts";

export type { HandlerDeps } from "./context.ts";

/** Every player event of every game namespace, and the connection hooks. */
export function playerService(deps: HandlerDeps): GameService {
  const chat = chatBudget();
  return {
    handlers: {
      ...queueHandlers(deps),
      ...matchHandlers(deps),
      ...chatHandlers(deps, chat),
      ...lobbyHandlers(deps, chat),
      ...watchHandlers(deps),
      ...statsHandlers(deps),
    },
    input: inputHandler(deps),
    stateAck: stateAckHandler(deps),
    connected: connectedHandler(deps),
    disconnected: disconnectedHandler(deps),
  };
}
