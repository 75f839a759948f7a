import type { Namespace } from "socket.io";

/** A room nobody joins. */
const NO_ROOM = "\u0000none";

/**
 * Targets a player's personal room in a namespace, on every node. The `except` of a room nobody is
 * in keeps socket.io off its uws fast-publish path, which skips outgoing listeners: the player's
 * node follows what it tells its players (server/store-recovery.ts) and must see every event.
 */
export function toPlayer<N extends Namespace<any, any, any, any>>(nsp: N, room: string): ReturnType<N["to"]> {
  return nsp.to(room).except(NO_ROOM) as ReturnType<N["to"]>;
}
