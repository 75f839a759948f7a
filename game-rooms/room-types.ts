import type { MatchEnd, MatchStart, PlayerId, ReplayInput, Seat, SpectateAnswer, StatePayload, EndReason } from "../protocol/index.ts";
import type { InputQueue } from "./input-queue.ts";
import type { StreamStats } from "./stream-stats.ts";

/** One seat of a running room. */
export interface SeatState {
  seat: Seat;
  playerId: PlayerId;
  name: string;
  /** The display rating, and the skill behind it, as the match started. */
  rating: number;
  mu: number;
  sigma: number;
  /** The node holding the player's connection (the host itself for local players). */
  node: string;
  connected: boolean;
  disconnectedAt: number;
  inputs: InputQueue;
  lastSeq: number;
  lastAckTick: number;
  lastAckAt: number;
  lagging: boolean;
  rttMs: number;
  /** The player's sequence number for the first `match:start` / `match:resumed` this room sends them (the store's stamp); used once. */
  firstSeq: number | undefined;
}

/** How a room talks to the outside: sends to seats, reports acks and the end. */
/** How a room talks to the outside (`R`: the room, `Room`; generic so that this file needs no import of it). */
export interface RoomPort<R> {
  /** One state to every connected seat of the match (a shared view); returns how many seats it was handed to. */
  broadcastState(room: R, payload: StatePayload): number;
  /** A state or the end to the match's spectators (volatile: never slows the match). */
  sendSpectators?(room: R, event: "state", payload: StatePayload): void;
  /** One seat's own view (a per-seat game); returns whether it was handed to a transport. */
  sendState(room: R, seat: SeatState, payload: StatePayload): boolean;
  sendStart(room: R, seat: SeatState, payload: MatchStart, resumed: boolean): void;
  /** The match is over: write ratings, free the players, tell them. Called once. */
  finish(room: R, reason: EndReason, winner: Seat | null): void;
  onRtt?(room: R, rttMs: number): void;
  onLagChange?(room: R, seat: SeatState, lagging: boolean): void;
}

export interface RoomOptions {
  graceMs: number;
  lagMs: number;
  maxQueuedInputs: number;
  /** Clients acknowledge every state whose tick is a multiple of this (turn-based games: 1). */
  ackEvery: number;
  now?: () => number;
  /** The node's exact state-stream accounting. */
  stats?: StreamStats;
  /**
   * Resumes from a snapshot (another host died): the room starts at its tick and state, and waits,
   * without ticking, until both seats are connected (or the grace period ends one of them).
   */
  restore?: { tick: number; state: unknown; inputs: ReplayInput[]; truncated?: boolean };
  /** The match's mode, for its replay. */
  mode?: string;
  /** The epoch of this host's claim on the match (fencing: the store refuses writes of an older one). */
  hostEpoch?: number;
  /** Whether the match may change ratings (default: unless its mode is casual). */
  rated?: boolean;
  /** The most inputs the replay keeps (default `MAX_REPLAY_INPUTS`). */
  maxReplayInputs?: number;
}

/**
 * What a host writes to the store about a running room, so another node can resume it: the state
 * (`v` 2; `v` 1 also carried every input, which the store now keeps as a list it appends to).
 */
export interface RoomSnapshot {
  v: 1 | 2;
  seed: number;
  tick: number;
  /** The game's whole state (not a view): JSON, as the built-in games' states are. */
  state: unknown;
  /** Each seat's last applied input sequence number: inputs a client resends are not applied twice. */
  lastSeq: [number, number];
  /** v1 only: every input applied so far. */
  inputs?: ReplayInput[];
  /** Who watches the match, and from which node (an adopter keeps sending to them). */
  spectators?: [PlayerId, string][];
}

/** A room's snapshot as it goes to the store: the state, and the inputs logged since the last one it kept. */
export interface SnapshotParts {
  head: string;
  /** How many inputs the store holds already: `inputs` follow them. */
  from: number;
  /** Each new input as JSON. */
  inputs: string[];
}

/** The most inputs a replay keeps by default (`REPLAY_MAX_INPUTS`); beyond it the replay is marked truncated (no longer replayable to its end). */
export const MAX_REPLAY_INPUTS = 20_000;

/** The `match:end` payload for a finished room. */
export function endPayload(
  room: { matchId: string; seats: readonly [SeatState, SeatState] },
  reason: EndReason,
  winner: Seat | null,
  ratings: Record<PlayerId, number>,
): MatchEnd {
  return { matchId: room.matchId, reason, winner: winner === null ? null : room.seats[winner].playerId, ratings };
}

/** `match:spectate`'s answer as the host gives it: the spectator's node adds the match's `ref`. */
export type SpectateStart = Omit<SpectateAnswer, "ref">;

/** A `state:ack` as the rooms take it: a compact one's `ref` already turned into its matchId. */
export interface StateAck {
  matchId: string;
  tick: number;
}
