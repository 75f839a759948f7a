import type { EventHandlers } from "../event-handlers.ts";
import type { HandlerDeps } from "./context.ts";

/** `stats`: queue and match counts of the player's game; `time:sync`: the server's clock, for a client's offset. */
export function statsHandlers({ matchmaker }: HandlerDeps): Pick<EventHandlers, "stats" | "time:sync"> {
  return {
    stats: (_payload, ctx) => matchmaker.stats(ctx.game),
    "time:sync": (payload) => ({ clientTime: payload.clientTime, serverTime: Date.now() }),
  };
}
