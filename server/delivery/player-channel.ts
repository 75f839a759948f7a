import type { SessionStore } from "../../matchmaker/index.ts";
import type { Delivery, MatchGroup, PlayerChannel, SpectatorGroup } from "../../matchmaker/index.ts";
import type { NodeRelay } from "../../game-rooms/index.ts";
import {
  playerEvent,
  type PlayerEvent,
  type PlayerId,
  type ServerEventName,
  type ServerEventPayload,
  type ServerToClientEvents,
  type StatePayload,
} from "../../protocol/index.ts";
import type { Logger } from "../logger.ts";
import type { PlayerPlaces } from "./player-places.ts";
import { PlayerSequence, type StampAges } from "./player-sequence.ts";
import { LocalRoomEmitter } from "./room-emitter.ts";
import { PLAYING_REF, type StateWires } from "./state-wires.ts";
import type { ArenaNamespace, ArenaSocket } from "../edge/types.ts";

/** Anything Socket.IO emits our server events with: a socket, a namespace, a room of it. */
interface Emitter {
  emit<E extends ServerEventName>(event: E, ...args: Parameters<ServerToClientEvents[E]>): unknown;
}

/** Emits one event with its payload, typed by its name. */
function emitTo<E extends ServerEventName>(target: Emitter, event: E, payload: ServerEventPayload<E>): void {
  // A one-argument event's parameters are [payload]: TypeScript cannot see it for a generic name.
  target.emit(event, ...([payload] as Parameters<ServerToClientEvents[E]>));
}

/** The Socket.IO rooms of a match's players on their node: those with object states, and compact ones. */
const matchRoom = (matchId: string) => `match:${matchId}`;
const compactMatchRoom = (matchId: string) => `matchc:${matchId}`;
/** The Socket.IO rooms of a match's spectators on this node, likewise. */
const spectatorRoom = (matchId: string) => `spec:${matchId}`;
const compactSpectatorRoom = (matchId: string) => `specc:${matchId}`;

const isCompact = (socket: ArenaSocket) => socket.data.encoding === "compact";

/** How to reach players on other nodes: the store knows each player's node, the relay reaches it. */
export interface RemotePlayers {
  node: string;
  relay: NodeRelay;
  sessions: Pick<SessionStore, "sessionNode">;
  log: Logger;
}

/** What the channel asks the store: when a player's numbers were stamped (`PlayerSequence`). */
export type SequenceStore = Pick<SessionStore, "stampAges">;

/**
 * The player channel on Socket.IO. It knows each player's live connection on this node (the game
 * namespace registers it once the session is theirs) and hands events to it directly. An event for
 * a player connected elsewhere goes to that player's node only (the store's session record names
 * it, or the store's stamp did; the relay carries it), whose channel hands it over in turn: no
 * other node sees it. Events about a player's place go in the order the store numbered them
 * (`PlayerSequence`). Handing over an event is also where a player's place in the matchmaking is noted.
 */
export class SocketPlayerChannel implements PlayerChannel {
  private readonly live = new Map<string, Map<PlayerId, ArenaSocket>>();
  /** Spectator groups by `<game>|<matchId>`, and the matches each player here watches by `<game>|<playerId>`. */
  private readonly watchGroups = new Map<string, SpectatorGroup>();
  private readonly watching = new Map<string, Set<string>>();
  private readonly sequence: PlayerSequence;

  constructor(
    private readonly namespaces: Map<string, ArenaNamespace>,
    private readonly places: PlayerPlaces,
    store: SequenceStore,
    /** Other nodes, when there are (a shared Redis): without them an absent player is simply gone. */
    private readonly remote: RemotePlayers | undefined,
    /** Refs and compact encodings of the matches this node's connections play or watch. */
    readonly wires: StateWires,
    log?: Logger,
  ) {
    const ages: StampAges = (game, playerId, after, before) => store.stampAges(game, playerId, after, before);
    this.sequence = new PlayerSequence((socket, sent) => this.emit(socket, sent), ages, log ?? remote?.log);
    for (const game of namespaces.keys()) this.live.set(game, new Map());
    remote?.relay.onMessage((message) => {
      if (message.t !== "player") return;
      const socket = this.sessionOf(message.game, message.playerId);
      if (socket) this.sequence.deliver(socket, message, message.seq);
    });
  }

  /** The socket now holds its player's session on this node. */
  register(socket: ArenaSocket): void {
    this.live.get(socket.data.game)?.set(socket.data.playerId, socket);
  }

  /**
   * The store opened the socket's session: it is told the player's events numbered after `seq`
   * (undefined when the store could not say: from the next one that comes).
   */
  sessionOpened(socket: ArenaSocket, seq: number | undefined): void {
    this.sequence.startAfter(socket, seq);
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

  toGame<E extends ServerEventName>(game: string, event: E, payload: ServerEventPayload<E>): void {
    const nsp = this.namespaces.get(game);
    if (nsp) emitTo(nsp, event, payload);
  }

  isHere(game: string, playerId: PlayerId): boolean {
    return this.sessionOf(game, playerId) !== undefined;
  }

  toPlayer<E extends ServerEventName>(game: string, playerId: PlayerId, event: E, payload: ServerEventPayload<E>, to: Delivery = {}): void {
    const sent = playerEvent(event, payload);
    const socket = this.sessionOf(game, playerId);
    if (socket) return this.sequence.deliver(socket, sent, to.seq);
    const { remote } = this;
    if (!remote) return;
    if (to.node !== undefined) {
      if (to.node !== remote.node) remote.relay.send(to.node, { t: "player", game, playerId, ...sent, ...(to.seq !== undefined ? { seq: to.seq } : {}) });
    } else if (to.seq === undefined) this.sendToNode(remote, game, playerId, sent);
  }

  /** Events for one player leave in order: their node lookups are answered in the order asked. */
  private sendToNode(remote: RemotePlayers, game: string, playerId: PlayerId, sent: PlayerEvent): void {
    remote.sessions.sessionNode(game, playerId).then(
      (node) => {
        if (node && node !== remote.node) remote.relay.send(node, { t: "player", game, playerId, ...sent });
      },
      (error: unknown) => remote.log.warn({ err: error, game, playerId, event: sent.event }, "could not find a player's node; event dropped"),
    );
  }

  toPlayerHere<E extends ServerEventName>(game: string, playerId: PlayerId, event: E, payload: ServerEventPayload<E>): boolean {
    const socket = this.sessionOf(game, playerId);
    if (socket) this.sequence.deliver(socket, playerEvent(event, payload));
    return socket !== undefined;
  }

  toPlayersHere<E extends ServerEventName>(game: string, playerIds: PlayerId[], event: E, payload: ServerEventPayload<E>): void {
    const nsp = this.namespaces.get(game);
    if (!nsp) return;
    // Each socket is in a room of its own id: one emit, one encode, for all of them.
    const ids: string[] = [];
    for (const playerId of playerIds) {
      const socket = this.sessionOf(game, playerId);
      if (socket) ids.push(socket.id);
    }
    if (ids.length) emitTo(nsp.local.to(ids), event, payload);
  }

  /**
   * A match's state to these players' connections here (one encode per encoding): the shared view,
   * or with `own` the view of that one player's seat (hidden information).
   */
  statesHere(game: string, playerIds: readonly PlayerId[], payload: StatePayload, own: boolean): boolean {
    let compact: PlayerId[] | undefined;
    let objects: PlayerId[] | undefined;
    for (const playerId of playerIds) {
      const socket = this.sessionOf(game, playerId);
      if (!socket) continue;
      if (isCompact(socket) && this.wires.has(game)) (compact ??= []).push(playerId);
      else (objects ??= []).push(playerId);
    }
    if (objects) this.toPlayersHere(game, objects, "state", payload);
    // The compact frame goes out like the object form, one encode for all of them (the typed events
    // describe the object form: a compact frame is the same event with an array).
    const frame = compact && this.wires.compact(game, payload, own ? playerIds[0] : undefined);
    if (compact && frame) this.toPlayersHere(game, compact, "state", frame as unknown as StatePayload);
    return objects !== undefined || compact !== undefined;
  }

  /** The matches this node has spectators of, as `[game, matchId]`. */
  *spectated(): Generator<[game: string, matchId: string]> {
    for (const key of this.watchGroups.keys()) {
      const cut = key.indexOf("|");
      yield [key.slice(0, cut), key.slice(cut + 1)];
    }
  }

  spectators(game: string, matchId: string): SpectatorGroup {
    const key = `${game}|${matchId}`;
    const existing = this.watchGroups.get(key);
    if (existing) return existing;
    const nsp = this.namespaces.get(game)!;
    const objects = new LocalRoomEmitter(nsp, spectatorRoom(matchId), true);
    const compact = new LocalRoomEmitter(nsp, compactSpectatorRoom(matchId), true);
    const members = new Set<PlayerId>();
    const roomOf = (socket: ArenaSocket) => (isCompact(socket) && this.wires.has(game) ? compactSpectatorRoom(matchId) : spectatorRoom(matchId));
    const group: SpectatorGroup = {
      add: (playerId) => {
        const socket = this.sessionOf(game, playerId);
        if (!socket) return false;
        void socket.join(roomOf(socket));
        members.add(playerId);
        const key = `${game}|${playerId}`;
        const watched = this.watching.get(key);
        if (watched) watched.add(matchId);
        else this.watching.set(key, new Set([matchId]));
        return true;
      },
      remove: (playerId) => {
        const socket = this.sessionOf(game, playerId);
        if (socket) void socket.leave(roomOf(socket));
        members.delete(playerId);
        this.unwatch(game, playerId, matchId);
        if (members.size === 0) this.watchGroups.delete(key);
      },
      send: (event, payload) => {
        // Spectators' sends may be dropped: every compact state they get is a key frame.
        if (event === "state" && compact.members() > 0) compact.emit(event, this.wires.compact(game, payload as StatePayload, undefined, true));
        if (event !== "state" || objects.members() > 0) objects.emit(event, payload);
        if (event === "match:end") compact.emit(event, payload);
      },
      close: () => {
        for (const room of [spectatorRoom(matchId), compactSpectatorRoom(matchId)]) void nsp.local.in(room).socketsLeave(room);
        for (const playerId of members) this.unwatch(game, playerId, matchId);
        this.watchGroups.delete(key);
        this.wires.ended(matchId);
      },
    };
    this.watchGroups.set(key, group);
    return group;
  }

  private unwatch(game: string, playerId: PlayerId, matchId: string): void {
    const matches = this.watching.get(`${game}|${playerId}`);
    matches?.delete(matchId);
    if (matches?.size === 0) this.watching.delete(`${game}|${playerId}`);
  }

  /** The matches a player on this node watches. */
  watchedBy(game: string, playerId: PlayerId): ReadonlySet<string> {
    return this.watching.get(`${game}|${playerId}`) ?? new Set();
  }

  matchGroup(game: string, matchId: string): MatchGroup {
    const nsp = this.namespaces.get(game);
    if (!nsp) throw new Error(`no namespace for ${game}`);
    const objects = new LocalRoomEmitter(nsp, matchRoom(matchId));
    const compact = new LocalRoomEmitter(nsp, compactMatchRoom(matchId));
    const { wires } = this;
    // Which encodings ever joined: a group that never had a compact member never looks for one.
    let compactJoined = false;
    let objectsJoined = false;
    return {
      add: (playerId) => {
        const socket = this.sessionOf(game, playerId);
        if (!socket) return;
        const compactMember = isCompact(socket) && wires.has(game);
        if (compactMember) compactJoined = true;
        else objectsJoined = true;
        void socket.join(compactMember ? compactMatchRoom(matchId) : matchRoom(matchId));
        wires.keyFrameNext(matchId);
      },
      send: (event, payload) => {
        if (event !== "state") {
          objects.emit(event, payload);
          if (compactJoined) compact.emit(event, payload);
          return;
        }
        if (compactJoined && compact.members() > 0) compact.emit(event, wires.compact(game, payload as StatePayload));
        if (objectsJoined && (!compactJoined || objects.members() > 0)) objects.emit(event, payload);
      },
      close: () => {
        for (const room of [matchRoom(matchId), compactMatchRoom(matchId)]) void nsp.local.in(room).socketsLeave(room);
        wires.ended(matchId);
      },
    };
  }

  /** The player's live connection on this node in `game`, if any. */
  sessionOf(game: string, playerId: PlayerId): ArenaSocket | undefined {
    const socket = this.live.get(game)?.get(playerId);
    return socket?.connected ? socket : undefined;
  }

  /** Hands the event over, in the player's sequence. */
  private emit(socket: ArenaSocket, sent: PlayerEvent): void {
    this.places.delivered(socket, sent);
    if (sent.event === "match:start" || sent.event === "match:resumed") {
      // The match the connection plays (its compact acks name it by PLAYING_REF); its next state is a key frame.
      const { matchId } = sent.payload;
      socket.data.playing = matchId;
      this.wires.keyFrameNext(matchId);
      return emitTo(socket, sent.event, { ...sent.payload, ref: PLAYING_REF });
    }
    // `playing` stays after the end: the acks of its last states are still on their way.
    if (sent.event === "match:end") this.wires.ended(sent.payload.matchId);
    emitTo(socket, sent.event, sent.payload);
  }
}
