import type { CancelReason, MatchId, PlayerId, Seat } from "../protocol/index.ts";

/** A player's place in one queue. */
export interface Ticket {
  ticketId: string;
  playerId: PlayerId;
  name: string;
  game: string;
  mode: string;
  rating: number;
  /** Epoch ms; kept when a ready player is put back in the queue. */
  enqueuedAt: number;
}

/** What a node asks for when a player joins a queue. */
export interface TicketRequest {
  ticketId: string;
  playerId: PlayerId;
  name: string;
  game: string;
  mode: string;
}

export interface MatchPlayer {
  playerId: PlayerId;
  name: string;
  rating: number;
  ticketId: string;
  enqueuedAt: number;
  ready: boolean;
}

export type MatchState = "ready_check" | "playing";

/** Two paired players, from the ready check until the match ends. */
export interface MatchRecord {
  matchId: MatchId;
  game: string;
  mode: string;
  state: MatchState;
  players: [MatchPlayer, MatchPlayer];
  createdAt: number;
  /** Epoch ms by which both must be ready. */
  readyBy: number;
  /** The node that hosts the match: chosen at pairing (the node of the player who queued first). */
  host?: string;
  /** When both players were ready (epoch ms). */
  startedAt?: number;
}

/** What opening a session found: the player's match, and the session it replaced. */
export interface SessionOpened {
  /** The player's running (or pending) match, if any. */
  match: MatchPointer | null;
  /** The node of the older session this one replaced, when that was another node: it must drop its connection. */
  replaced?: string;
  /** A newer session of the player was opened already: this connection is stale and must go. */
  stale?: boolean;
}

/** A running match taken from a host whose lease lapsed. */
export interface LapsedMatch extends MatchRef {
  host: string;
}

/** How clients reach a node, as it announces itself. */
export interface NodeInfo {
  url?: string;
  region: string;
}

/** A match named with its game. */
export interface MatchRef {
  game: string;
  matchId: string;
}

/** Where a player's running (or pending) match is, as seen when the player connects. */
export interface MatchPointer {
  matchId: string;
  state: MatchState;
  host?: string;
}

/** How pairing is done; every field is configurable per game. */
export interface PairingRules {
  /** Half-width of a fresh ticket's rating window. */
  initialWindow: number;
  /** How much the window widens per second waited. */
  widenPerSecond: number;
  /** Largest window; 0 for none. */
  maxWindow: number;
  readyTimeoutMs: number;
  /** A ticket whose node has not refreshed for this long is expired. */
  ticketTtlMs: number;
  /** Oldest tickets looked at per pass, and candidates per side of each: bounded work per pass. */
  scanOldest: number;
  scanCandidates: number;
  maxPairsPerPass: number;
}

export const DEFAULT_RULES: PairingRules = {
  initialWindow: 100,
  widenPerSecond: 50,
  maxWindow: 0,
  readyTimeoutMs: 10_000,
  ticketTtlMs: 15_000,
  scanOldest: 64,
  scanCandidates: 16,
  maxPairsPerPass: 64,
};

/** Who hosts a match that starts, and for how long its lease runs before renewal. */
export interface HostLease {
  node: string;
  now: number;
  leaseMs: number;
}

/** One player's side of a cancelled ready check. */
export interface CancelledSeat {
  playerId: PlayerId;
  seat: Seat;
  ticketId: string;
  requeued: boolean;
}

export interface Cancellation {
  matchId: MatchId;
  game: string;
  reason: CancelReason;
  seats: CancelledSeat[];
}

/** What a player's departure left behind. */
export interface Departure {
  /** Whether a ticket was removed from its queue, and which. */
  ticket: boolean;
  ticketId?: string;
  /** The player's match, if any, and its state. */
  match?: { matchId: MatchId; state: MatchState };
}

/** What a silent node left behind: expired tickets, and players whose connection died with it mid-match. */
export interface Sweep {
  expired: Ticket[];
  orphans: { game: string; playerId: PlayerId; matchId: string }[];
}

/** Queue sizes and counts for `stats`. */
export interface GameCounts {
  queued: number;
  matches: number;
  players: number;
}
