import type { EventHandlers } from "../event-handlers.ts";
import type { HandlerDeps } from "./context.ts";

/** `match:spectate` and `match:unspectate`: watching a running match on any node. */
export function watchHandlers({ rooms, channel }: HandlerDeps): Pick<EventHandlers, "match:spectate" | "match:unspectate"> {
  return {
    // The host tells the match as it stands; the match's ref is this node's, which sends its states.
    "match:spectate": async (payload, ctx) => ({
      ...(await rooms.spectate(ctx.game, ctx.playerId, payload.matchId)),
      ref: channel.wires.spectatorRef(ctx.game, payload.matchId),
    }),
    "match:unspectate": async (payload, ctx) => {
      await rooms.unspectate(ctx.game, ctx.playerId, payload.matchId);
      return {};
    },
  };
}
