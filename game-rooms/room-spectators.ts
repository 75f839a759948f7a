import type { Logger } from "pino";
import type { PlayerChannel } from "../matchmaker/index.ts";
import type { NodeRelay } from "./node-relay.ts";
import type { WatchStore } from "../matchmaker/index.ts";
import { ArenaError, ErrorCode, type MatchEnd, type PlayerId, type StatePayload } from "../protocol/index.ts";
import type { Room } from "./room.ts";
import type { SpectateStart } from "./room-types.ts";
import type { StreamStats } from "./stream-stats.ts";

export interface RoomSpectatorsOptions {
  node: string;
  channel: PlayerChannel;
  relay: NodeRelay;
  /** Where spectator counts go (`GET /v1/matches`). */
  watch: Pick<WatchStore, "setSpectators">;
  log: Logger;
  maxSpectators: number;
  stream: StreamStats;
}

/**
 * The spectators of the rooms hosted here: who watches each room from which node, and the state
 * stream and end sent to them (volatile: a slow spectator drops states, never slows the match).
 */
export class RoomSpectators {
  constructor(private readonly options: RoomSpectatorsOptions) {}

  /** A player (connected to `node`) starts watching a room hosted here: the match as it stands. */
  spectate(room: Room, playerId: PlayerId, node: string): SpectateStart {
    if (room.seatOf(playerId)) throw new ArenaError(ErrorCode.BAD_REQUEST, "matchId: you play this match");
    if (!room.spectators.has(playerId) && room.spectators.size >= this.options.maxSpectators)
      throw new ArenaError(ErrorCode.FULL, `this match has ${this.options.maxSpectators} spectators already`);
    room.spectators.set(playerId, node);
    this.spectatorsChanged(room);
    const now = room.spectatorState();
    return {
      tickRate: room.game.tickRate,
      tick: now.tick,
      state: now.state,
      players: room.seats.map((s) => ({ playerId: s.playerId, name: s.name, rating: s.rating })),
    };
  }

  /** An adopted room's spectators, from its snapshot: they keep watching. */
  restore(room: Room, spectators: readonly [PlayerId, string][]): void {
    for (const [playerId, node] of spectators) room.spectators.set(playerId, node);
    this.spectatorsChanged(room);
  }

  unspectate(room: Room, playerId: PlayerId): void {
    if (room.spectators.delete(playerId)) this.spectatorsChanged(room);
  }

  private spectatorsChanged(room: Room): void {
    room.spectatorNodes = new Set(room.spectators.values());
    this.options.watch.setSpectators(room.game.name, room.matchId, room.spectators.size).catch((error: unknown) => {
      this.options.log.warn({ err: error, game: room.game.name, matchId: room.matchId }, "could not record a match's spectator count");
    });
  }

  /** A state or the end to every spectator: this node's through its group, other nodes' through the relay (one message a node). */
  send(room: Room, event: "state" | "match:end", payload: StatePayload | MatchEnd): void {
    if (event === "state") this.options.stream.counters.spectatorStates += room.spectators.size;
    for (const node of room.spectatorNodes) {
      if (node === this.options.node) this.options.channel.spectators(room.game.name, room.matchId).send(event, payload);
      else this.options.relay.send(node, { t: "spec", game: room.game.name, matchId: room.matchId, event, payload });
    }
  }

  /** The match is over: its spectators get the end and stop watching. */
  end(room: Room, payload: MatchEnd): void {
    if (!room.spectators.size) return;
    this.send(room, "match:end", payload);
    this.options.channel.spectators(room.game.name, room.matchId).close();
  }
}
