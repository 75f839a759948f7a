import type { EventHandlers } from "../event-handlers.ts";
import type { HandlerDeps } from "./context.ts";

/** `match:spectate` and `match:unspectate`: watching a running match on any node. */
export function watchHandlers({ rooms }: HandlerDeps): Pick<EventHandlers, "match:spectate" | "match:unspectate"> {
  return {
    "match:spectate": (payload, ctx) => rooms.spectate(ctx.game, ctx.playerId, payload.matchId),
    "match:unspectate": async (payload, ctx) => {
      await rooms.unspectate(ctx.game, ctx.playerId, payload.matchId);
      return {};
    },
  };
}
