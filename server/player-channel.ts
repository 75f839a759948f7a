import type { MatchGroup, PlayerChannel, PlayerId, ServerEventName, ServerEventPayload } from "../protocol/index.ts";
import type { PlayerPlaces } from "./player-places.ts";
import { LocalRoomEmitter } from "./room-emitter.ts";
import { playerRoom, type ArenaNamespace, type ArenaSocket } from "./types.ts";

/** The Socket.IO room of a match's players on their node. */
const matchRoom = (matchId: string) => `match:${matchId}`;

/**
 * The player channel on Socket.IO. It knows each player's live connection on this node (the game
 * namespace registers it once the session is theirs), hands events to it directly, and sends an
 * event for a player connected elsewhere to the other nodes (`serverSideEmit`), whose channel hands
 * it over in turn. Handing over an event is also where a player's place in the matchmaking is noted.
 */
export class SocketPlayerChannel implements PlayerChannel {
  private readonly live = new Map<string, Map<PlayerId, ArenaSocket>>();

  constructor(
    private readonly namespaces: Map<string, ArenaNamespace>,
    private readonly places: PlayerPlaces,
    /** Whether other nodes exist (a Redis adapter): without them an absent player is simply gone. */
    private readonly clustered: boolean,
  ) {
    for (const [game, nsp] of namespaces) {
      this.live.set(game, new Map());
      nsp.on("player:event", (message) => {
        if (typeof message?.playerId !== "string" || typeof message.event !== "string") return;
        const socket = this.socketOf(game, message.playerId);
        if (socket) this.deliver(socket, message.event, message.payload);
      });
    }
  }

  /** The socket now holds its player's session on this node. */
  register(socket: ArenaSocket): void {
    this.live.get(socket.data.game)?.set(socket.data.playerId, socket);
  }

  /** The socket is gone. */
  unregister(socket: ArenaSocket): void {
    const sessions = this.live.get(socket.data.game);
    if (sessions?.get(socket.data.playerId) === socket) sessions.delete(socket.data.playerId);
  }

  /** Every live session on this node, per game. */
  *sessions(): Generator<[game: string, socket: ArenaSocket]> {
    for (const [game, sessions] of this.live) for (const socket of sessions.values()) if (socket.connected) yield [game, socket];
  }

  isHere(game: string, playerId: PlayerId): boolean {
    return this.socketOf(game, playerId) !== undefined;
  }

  toPlayer<E extends ServerEventName>(game: string, playerId: PlayerId, event: E, payload: ServerEventPayload<E>): void {
    const socket = this.socketOf(game, playerId);
    if (socket) this.deliver(socket, event, payload);
    else if (this.clustered) this.namespaces.get(game)?.serverSideEmit("player:event", { playerId, event, payload });
  }

  toPlayerHere<E extends ServerEventName>(game: string, playerId: PlayerId, event: E, payload: ServerEventPayload<E>): boolean {
    const socket = this.socketOf(game, playerId);
    if (socket) this.deliver(socket, event, payload);
    return socket !== undefined;
  }

  toPlayersHere<E extends ServerEventName>(game: string, playerIds: PlayerId[], event: E, payload: ServerEventPayload<E>): void {
    const nsp = this.namespaces.get(game);
    (nsp?.local.to(playerIds.map(playerRoom)) as { emit(event: string, payload: unknown): unknown } | undefined)?.emit(event, payload);
  }

  matchGroup(game: string, matchId: string): MatchGroup {
    const nsp = this.namespaces.get(game);
    if (!nsp) throw new Error(`no namespace for ${game}`);
    const room = matchRoom(matchId);
    const emitter = new LocalRoomEmitter(nsp, room);
    return {
      add: (playerId) => void this.socketOf(game, playerId)?.join(room),
      send: (event, payload) => emitter.emit(event, payload),
      close: () => void nsp.local.in(room).socketsLeave(room),
    };
  }

  private socketOf(game: string, playerId: PlayerId): ArenaSocket | undefined {
    const socket = this.live.get(game)?.get(playerId);
    return socket?.connected ? socket : undefined;
  }

  private deliver(socket: ArenaSocket, event: ServerEventName, payload: unknown): void {
    this.places.delivered(socket, event, payload as { matchId?: string; requeued?: boolean });
    (socket as { emit(event: string, payload: unknown): unknown }).emit(event, payload);
  }
}
