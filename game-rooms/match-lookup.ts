import type { MatchStore } from "../matchmaker/index.ts";
import { ArenaError, ErrorCode, type PlayerId } from "../protocol/index.ts";
import type { SpectateStart } from "./room-types.ts";
import type { HostRouter } from "./host-router.ts";
import type { RoomHost } from "./room-host.ts";
import type { Room } from "./room.ts";

/** An input's answer, when its client asked for one: the tick that applied it, or a later refusal. */
export type InputApplied = (tick: number) => void;
export type InputRefused = (error: unknown) => void;

/**
 * A running match as a player's node acts on it, wherever it is hosted: the same methods for a
 * room on this node and for one on another node (reached through its host, one relay hop each way).
 */
export interface MatchHandle {
  /** Its players, in seat order. */
  readonly players: readonly PlayerId[];
  /**
   * `game:input`: applied at the host's next tick. `resolve` gets that tick and `reject` a refusal
   * that comes later; a refusal known at once throws. Without them (no answer asked) a later
   * refusal is only counted.
   */
  queueInput(playerId: PlayerId, seq: number, input: unknown, resolve?: InputApplied, reject?: InputRefused): void;
  /** `match:leave`: the player forfeits. */
  forfeit(playerId: PlayerId): Promise<void>;
  /** A player's connection here (re)opened: they take their seat again, from this node. */
  attach(playerId: PlayerId): void;
  /** A player's connection here closed: their seat waits for them (the grace period). */
  detach(playerId: PlayerId): void;
  /** A spectator here starts watching; resolves with the match as it stands. */
  spectate(playerId: PlayerId): Promise<SpectateStart>;
  /** A spectator here stops watching. */
  unspectate(playerId: PlayerId): void;
}

/** A match hosted on this node: its room. */
class HostedMatch implements MatchHandle {
  readonly players: readonly PlayerId[];

  constructor(
    private readonly room: Room,
    private readonly host: RoomHost,
    private readonly node: string,
  ) {
    this.players = room.seats.map((s) => s.playerId);
  }

  queueInput(playerId: PlayerId, seq: number, input: unknown, resolve?: InputApplied, reject?: InputRefused): void {
    this.room.queueInput(playerId, seq, input, resolve, reject);
  }

  async forfeit(playerId: PlayerId): Promise<void> {
    this.room.forfeit(playerId);
  }

  attach(playerId: PlayerId): void {
    this.host.reconnected(this.room, playerId, this.node);
  }

  detach(playerId: PlayerId): void {
    this.room.disconnected(playerId);
  }

  async spectate(playerId: PlayerId): Promise<SpectateStart> {
    return this.host.spectate(this.room, playerId, this.node);
  }

  unspectate(playerId: PlayerId): void {
    this.host.unspectate(this.room, playerId);
  }
}

/** A match hosted on another node: requests go to its host through the relay. */
class RelayedMatch implements MatchHandle {
  constructor(
    private readonly game: string,
    private readonly matchId: string,
    private readonly host: string,
    readonly players: readonly PlayerId[],
    private readonly router: HostRouter,
    private readonly node: string,
  ) {}

  queueInput(playerId: PlayerId, seq: number, input: unknown, resolve?: InputApplied, reject?: InputRefused): void {
    this.router.request(this.host, { op: "input", game: this.game, matchId: this.matchId, playerId, seq, input }).then(resolve, reject ?? (() => undefined));
  }

  async forfeit(playerId: PlayerId): Promise<void> {
    await this.router.request(this.host, { op: "leave", game: this.game, matchId: this.matchId, playerId });
  }

  attach(playerId: PlayerId): void {
    this.router.send(this.host, { t: "attach", matchId: this.matchId, playerId, node: this.node });
  }

  detach(playerId: PlayerId): void {
    this.router.send(this.host, { t: "detach", matchId: this.matchId, playerId });
  }

  async spectate(playerId: PlayerId): Promise<SpectateStart> {
    return (await this.router.ask(this.host, { op: "spectate", game: this.game, matchId: this.matchId, playerId })).data as SpectateStart;
  }

  unspectate(playerId: PlayerId): void {
    this.router.send(this.host, { t: "unspectate", matchId: this.matchId, playerId });
  }
}

/**
 * Finds a running match, local or remote, as one handle: the room when this node hosts it (at
 * once, no promise: the hot path), else its host as the store names it (the router caches it).
 */
export class MatchLookup {
  constructor(
    private readonly host: RoomHost,
    private readonly router: HostRouter,
    private readonly store: Pick<MatchStore, "getMatch">,
    private readonly node: string,
  ) {}

  /** Each hosted room's handle, made once. */
  private readonly hosted = new WeakMap<Room, HostedMatch>();

  /** A match hosted here, or undefined. */
  here(game: string, matchId: string): MatchHandle | undefined {
    const room = this.host.get(game, matchId);
    if (!room) return undefined;
    let handle = this.hosted.get(room);
    if (!handle) this.hosted.set(room, (handle = new HostedMatch(room, this.host, this.node)));
    return handle;
  }

  /** The match a player plays (NOT_IN_MATCH for others, UNKNOWN_MATCH when it is not running). */
  forPlayer(game: string, matchId: string, playerId: PlayerId): MatchHandle | Promise<MatchHandle> {
    const here = this.here(game, matchId);
    if (here) return here;
    // Between this node's drain handing the match off and another adopting it: neither over nor elsewhere yet.
    if (this.host.isMoving(matchId)) throw new ArenaError(ErrorCode.UNAVAILABLE, "the match is moving to another node (match:moving); send it there");
    return this.locate(game, matchId, playerId);
  }

  /** The match as a spectator finds it (UNKNOWN_MATCH when it is not running); its players may not watch it. */
  async forSpectator(game: string, matchId: string, playerId: PlayerId): Promise<MatchHandle> {
    const here = this.here(game, matchId);
    const match = here ?? (await this.fromStore(game, matchId));
    if (match.players.includes(playerId)) throw new ArenaError(ErrorCode.BAD_REQUEST, "matchId: you play this match");
    return match;
  }

  /** The match its store record names a host for, to let go of a spectator; undefined when it is over. */
  async ofRecord(game: string, matchId: string): Promise<MatchHandle | undefined> {
    return this.here(game, matchId) ?? (await this.fromStore(game, matchId).catch(() => undefined));
  }

  /** The match at the host a session's record names (a reconnecting player: no lookup). */
  atHost(game: string, matchId: string, host: string, playerId: PlayerId): MatchHandle {
    return this.here(game, matchId) ?? new RelayedMatch(game, matchId, host, [playerId], this.router, this.node);
  }

  private async locate(game: string, matchId: string, playerId: PlayerId): Promise<MatchHandle> {
    const known = await this.router.locate(game, matchId, playerId);
    return new RelayedMatch(game, matchId, known.host, known.players, this.router, this.node);
  }

  private async fromStore(game: string, matchId: string): Promise<MatchHandle> {
    const match = await this.store.getMatch(game, matchId);
    if (!match || match.state !== "playing" || !match.host || match.host === this.node)
      throw new ArenaError(ErrorCode.UNKNOWN_MATCH, "no running match with that id");
    return new RelayedMatch(
      game,
      matchId,
      match.host,
      match.players.map((p) => p.playerId),
      this.router,
      this.node,
    );
  }
}
