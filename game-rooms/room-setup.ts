import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { MatchRecord, MatchSnapshotEntry, PlayerChannel, SessionStore, WatchStore } from "../matchmaker/index.ts";
import type { HostInfo } from "../protocol/index.ts";
import type { GameRegistry } from "./game-registry.ts";
import type { MatchResults } from "./match-results.ts";
import type { NodeRelay } from "./node-relay.ts";
import type { Seat } from "../protocol/index.ts";
import { InputQueue } from "./input-queue.ts";
import type { Room } from "./room.ts";
import type { RoomOptions, SeatState } from "./room-types.ts";

/** What a node's room host is made with. */
export interface RoomHostOptions {
  node: string;
  /** How clients reach this node (`match:resumed.host`). */
  self: Omit<HostInfo, "node">;
  games: GameRegistry;
  channel: PlayerChannel;
  sessions: Pick<SessionStore, "sessionNode">;
  relay: NodeRelay;
  results: MatchResults;
  log: Logger;
  registry: Registry;
  graceMs: number;
  lagMs: number;
  /** Clients acknowledge every state whose tick is a multiple of this (real-time games). */
  stateAckEvery: number;
  /** How long a finished match's replay is kept. */
  replayTtlMs: number;
  /** The most inputs a replay keeps. */
  maxReplayInputs: number;
  /** Spectators a match takes at most. */
  maxSpectators: number;
  /** Where spectator counts go (`GET /v1/matches`). */
  watch: Pick<WatchStore, "setSpectators">;
  /** A new match started here (its first snapshot is written at once). */
  onStarted?: (room: Room) => void;
}

/** How to find where a match's players are: on this node, or the node the store names. */
export interface SeatFinder {
  node: string;
  channel: Pick<PlayerChannel, "isHere">;
  sessions: Pick<SessionStore, "sessionNode">;
}

/** What a room takes from its match's record: its mode, its host's claim, whether it is rated. */
export function matchOptions(match: MatchRecord): Pick<RoomOptions, "mode" | "hostEpoch" | "rated"> {
  return { mode: match.mode, hostEpoch: match.epoch ?? 1, rated: match.mode !== "casual" && !match.casual };
}

/** A room's snapshot as the store takes it. */
export function entryOf(room: Room): MatchSnapshotEntry {
  const { head, from, inputs } = room.snapshot();
  return { matchId: room.matchId, snapshot: head, epoch: room.hostEpoch, from, inputs };
}

/**
 * The match's seats, each where its player is connected now. When resuming from `deadHost`, a
 * player whose session was there (or who has none) is disconnected until they come back.
 */
export async function seatsOf(match: MatchRecord, where: SeatFinder, deadHost?: string): Promise<[SeatState, SeatState]> {
  const { channel, node } = where;
  const now = Date.now();
  return (await Promise.all(
    match.players.map(async (p, index): Promise<SeatState> => {
      // The record names each player's node as it was read; a player here is certainly here.
      const stamp = match.stamps?.[index];
      const at = channel.isHere(match.game, p.playerId) ? node : (stamp?.node ?? (await where.sessions.sessionNode(match.game, p.playerId)));
      const connected = deadHost === undefined || (at !== null && at !== deadHost);
      return {
        seat: index as Seat,
        playerId: p.playerId,
        name: p.name,
        rating: p.rating,
        mu: p.mu,
        sigma: p.sigma,
        node: connected ? (at ?? node) : node,
        connected,
        disconnectedAt: connected ? 0 : now,
        inputs: new InputQueue(),
        lastSeq: -1,
        lastAckTick: 0,
        lastAckAt: now,
        lagging: false,
        rttMs: 0,
        firstSeq: stamp?.seq,
      };
    }),
  )) as [SeatState, SeatState];
}
