import type { EventHandlers } from "../event-handlers.ts";
import { seeker, type HandlerDeps } from "./context.ts";

/** `queue:join` and `queue:leave`: a player's ticket, noted in their place for a store that forgets. */
export function queueHandlers({ matchmaker, places, games }: HandlerDeps): Pick<EventHandlers, "queue:join" | "queue:leave"> {
  return {
    "queue:join": async (payload, ctx) => {
      const mode = games.mode(ctx.game, payload.mode);
      const ticket = await matchmaker.join(seeker(ctx), mode, undefined, payload.latencies);
      places.queued(ctx.socket, { ticketId: ticket.ticketId, mode, enqueuedAt: ticket.enqueuedAt, latencies: payload.latencies });
      return { ticketId: ticket.ticketId };
    },
    "queue:leave": async (_payload, ctx) => {
      const cancelled = await matchmaker.leave(seeker(ctx));
      places.left(ctx.socket);
      return { cancelled };
    },
  };
}
