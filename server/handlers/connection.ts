import type { PlayerContext } from "../event-handlers.ts";
import { seeker, type HandlerDeps } from "./context.ts";

/** A connection took the player's session: open it in the store, and resume a running match. */
export function connectedHandler({ matchmaker, rooms }: HandlerDeps): (ctx: PlayerContext) => Promise<void> {
  return async (ctx) => {
    const match = await matchmaker.sessionOpened(seeker(ctx));
    rooms.playerConnected(ctx.game, ctx.playerId, match);
  };
}

/** A connection closed: its ticket or ready check goes, and a running match holds the seat for a while. */
export function disconnectedHandler({ matchmaker, rooms }: HandlerDeps): (ctx: PlayerContext) => Promise<void> {
  return async (ctx) => {
    const runningMatch = await matchmaker.sessionClosed(seeker(ctx));
    if (runningMatch) await rooms.playerDisconnected(ctx.game, ctx.playerId, runningMatch);
  };
}
