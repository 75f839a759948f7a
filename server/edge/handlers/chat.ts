import type { EventHandlers } from "../event-handlers.ts";
import { PlayerBudgets } from "../player-budgets.ts";
import type { HandlerDeps } from "./context.ts";

/** Chat (match, lobby and direct) has its own, tighter budget per player; being refused never disconnects. */
export const chatBudget = () => new PlayerBudgets({ perSecond: 1, burst: 5, disconnectAfter: Number.MAX_SAFE_INTEGER });

/** `chat:send`: a line to both players of a match, within the player's chat budget. */
export function chatHandlers({ rooms }: HandlerDeps, budget: PlayerBudgets): Pick<EventHandlers, "chat:send"> {
  return {
    "chat:send": async (payload, ctx) => {
      await rooms.chat(ctx.game, ctx.playerId, ctx.name, payload.matchId, payload.text, () => budget.take(ctx.game, ctx.playerId));
      return {};
    },
  };
}
