import type { MatchId, PlayerId, ServerEventName, ServerEventPayload, SpectatorEvent, SpectatorPayload, StatePayload } from "../protocol/index.ts";

/** The players of one match connected to this node: one send reaches all of them. */
export interface MatchGroup {
  /** The player's connection on this node joins the group (no-op when the player is not here). */
  add(playerId: PlayerId): void;
  send<E extends ServerEventName>(event: E, payload: ServerEventPayload<E>): void;
  /** Everyone leaves the group; it is not used again. */
  close(): void;
}

/** The spectators of one match connected to this node: sends are volatile (a slow spectator drops them). */
export interface SpectatorGroup {
  /** The player's connection on this node starts watching; false when the player is not here. */
  add(playerId: PlayerId): boolean;
  remove(playerId: PlayerId): void;
  send(event: SpectatorEvent, payload: SpectatorPayload): void;
  /** Everyone stops watching (the match ended). */
  close(): void;
}

/**
 * Where an event for a player goes, and its place in their sequence: `seq` is the player's
 * sequence number the store stamped for it (events about their place in the matchmaking: found,
 * cancelled, start, resumed, end), `node` their node then. The player's node hands numbered events
 * over in order, each once; an event without a number goes as it comes.
 */
export interface Delivery {
  node?: string | undefined;
  seq?: number | undefined;
}

/**
 * How the matchmaker and the game rooms reach players, owned by the server (which knows the
 * transport) and injected into them: nothing in `matchmaker/` or `game-rooms/` knows of sockets.
 * Sends are not acknowledged: a player that is gone simply does not receive them.
 */
export interface PlayerChannel {
  /**
   * Sends an event to a player, wherever the player is connected. With `to.node` it goes straight
   * there; with `to.seq` but no node, the player was not connected when it was stamped, and a
   * connection of theirs opened since starts after it: nobody is told. Without either, the
   * player's node is looked up.
   */
  toPlayer<E extends ServerEventName>(game: string, playerId: PlayerId, event: E, payload: ServerEventPayload<E>, to?: Delivery): void;
  /** Sends an event to a player's connection on this node only; false when the player is not connected here. */
  toPlayerHere<E extends ServerEventName>(game: string, playerId: PlayerId, event: E, payload: ServerEventPayload<E>): boolean;
  /** Sends one event to these players' connections on this node (one encode for all of them). */
  toPlayersHere<E extends ServerEventName>(game: string, playerIds: PlayerId[], event: E, payload: ServerEventPayload<E>): void;
  /**
   * A match's state to these players' connections on this node, each in the encoding it asked for
   * (one encode per encoding): the shared view, or with `own` the view of that one player's seat.
   * False when none of them is here.
   */
  statesHere(game: string, playerIds: readonly PlayerId[], payload: StatePayload, own: boolean): boolean;
  /** Sends one event to every player online in the game, on every node (lobby chat: the sender's budget bounds it). */
  toGame<E extends ServerEventName>(game: string, event: E, payload: ServerEventPayload<E>): void;
  /** Whether the player's live connection is on this node. */
  isHere(game: string, playerId: PlayerId): boolean;
  /** The group of a match's players on this node. */
  matchGroup(game: string, matchId: MatchId): MatchGroup;
  /** The spectators of a match on this node. */
  spectators(game: string, matchId: MatchId): SpectatorGroup;
  /** The matches this node has spectators of, as `[game, matchId]`. */
  spectated(): Iterable<[game: string, matchId: MatchId]>;
}
