import type { PlayerContext } from "../event-handlers.ts";
import { seeker, type HandlerDeps } from "./context.ts";

/**
 * A connection took the player's session: open it in the store, which names the node of the session
 * it replaced (told to drop it) or says a newer one exists (this one goes); resume a running match.
 */
export function connectedHandler({ matchmaker, rooms, sessions, channel }: HandlerDeps): (ctx: PlayerContext) => Promise<void> {
  return async (ctx) => {
    const opened = await matchmaker.sessionOpened(seeker(ctx)).catch((error: unknown) => {
      // Its events go as they come: the store could not say where its player's numbering stands.
      channel.sessionOpened(ctx.socket, undefined);
      throw error;
    });
    // The player's events numbered after this one are this connection's; earlier ones were told to its predecessor.
    channel.sessionOpened(ctx.socket, opened.seq);
    if (opened.stale) return sessions.stale(ctx.socket);
    if (opened.replaced) sessions.replacedOn(opened.replaced, ctx.game, ctx.playerId, ctx.socket.data.generation);
    rooms.playerConnected(ctx.game, ctx.playerId, opened.match);
  };
}

/** A connection closed: its ticket or ready check goes, and a running match holds the seat for a while. */
export function disconnectedHandler({ matchmaker, rooms, channel }: HandlerDeps): (ctx: PlayerContext) => Promise<void> {
  return async (ctx) => {
    // Matches it watched stop counting it (a newer connection of the player watches nothing yet).
    for (const matchId of [...channel.watchedBy(ctx.game, ctx.playerId)]) await rooms.unspectate(ctx.game, ctx.playerId, matchId).catch(() => undefined);
    const runningMatch = await matchmaker.sessionClosed(seeker(ctx));
    if (runningMatch) await rooms.playerDisconnected(ctx.game, ctx.playerId, runningMatch);
  };
}
