import { ArenaError, ErrorCode } from "../protocol/index.ts";
import type { GameServiceFactory } from "./arena-server.ts";

const notYet = () => {
  throw new ArenaError(ErrorCode.UNAVAILABLE, "matchmaking is not running on this node");
};

/** Wires each game's namespace to the matchmaker and the game rooms. */
export const gameServices: GameServiceFactory = () => ({
  handlers: {
    "queue:join": notYet,
    "queue:leave": notYet,
    "match:ready": notYet,
    "game:input": notYet,
    "match:leave": notYet,
    "chat:send": notYet,
    stats: notYet,
  },
  async connected() {},
  async disconnected() {},
});
