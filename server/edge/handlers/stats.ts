import type { EventHandlers } from "../event-handlers.ts";
import type { HandlerDeps } from "./context.ts";

/** `stats`: queue and match counts of the player's game. */
export function statsHandlers({ matchmaker }: HandlerDeps): Pick<EventHandlers, "stats"> {
  return { stats: (_payload, ctx) => matchmaker.stats(ctx.game) };
}
