import type { Lobby, Matchmaker, Seeker } from "../../../matchmaker/index.ts";
import type { GameRegistry, RoomManager } from "../../../game-rooms/index.ts";
import type { PlayerContext } from "../event-handlers.ts";
import type { PlayerPlaces } from "../../delivery/player-places.ts";
import type { SessionTakeover } from "../session-takeover.ts";
import type { SocketPlayerChannel } from "../../delivery/player-channel.ts";

/** What the event handlers of a node work with. */
export interface HandlerDeps {
  matchmaker: Matchmaker;
  lobby: Lobby;
  rooms: RoomManager;
  places: PlayerPlaces;
  sessions: SessionTakeover;
  channel: SocketPlayerChannel;
  /** The games, with their declared modes. */
  games: GameRegistry;
  /** The client's address behind a connection (trusted proxies' X-Forwarded-For believed). */
  addressOf: (ctx: PlayerContext) => string;
}

/** The player behind a connection, as the matchmaker knows them. */
export function seeker(ctx: PlayerContext): Seeker {
  return { game: ctx.game, playerId: ctx.playerId, name: ctx.name, generation: ctx.socket.data.generation };
}
