import type { CancelReason, MatchId, PlayerId, Seat } from "../protocol/index.ts";

/**
 * A player's rating in one game and mode: the skill estimate `mu`, its uncertainty `sigma` (0 under
 * Elo), and the display rating players see (OpenSkill: a conservative ordinal; Elo: the rating).
 */
export interface Rated {
  rating: number;
  mu: number;
  sigma: number;
}

/** What pairing needs of the rating system to predict a win chance. */
export interface SkillModel {
  /** Elo pairs on the rating gap (`initialWindow`...); OpenSkill on the predicted win chance (`initialChance`...). */
  system: "openskill" | "elo";
  /** 2 beta^2 of the Weng-Lin model. */
  twoBetaSq: number;
  /** The largest sigma a rating can have (a new player's): bounds the search for candidates. */
  sigmaCap: number;
}

/** A player's measured round trips (ms) to regions; without them, near their node's region. */
export type Latencies = Record<string, number>;

/** A player's place in one queue. */
export interface Ticket extends Rated {
  ticketId: string;
  playerId: PlayerId;
  name: string;
  game: string;
  mode: string;
  latencies?: Latencies;
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
  latencies?: Latencies;
}

export interface MatchPlayer extends Rated {
  playerId: PlayerId;
  name: string;
  /** As the ticket carried them (put back with it when a ready check is cancelled). */
  latencies?: Latencies;
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
  /** The node that hosts the match, chosen at pairing: in the region where both players are near, preferring the first player's node. */
  host?: string;
  /** The region the players were paired in, and each player's latency to it (ms; 0 when they sent none). */
  region?: string;
  latencyMs?: [number, number];
  /** When both players were ready (epoch ms). */
  startedAt?: number;
  /** The host's claim on the running match: 1 when it started, one more at each adoption (fencing). */
  epoch?: number;
  /** Changes no rating whatever its mode (a direct match, unless the operator rates them). */
  casual?: boolean;
  /**
   * The players' stamps for the latest event about the match (found when made, start when both are
   * ready, resumed when adopted), each with the player's node when read.
   */
  stamps?: [Stamp, Stamp];
}

/**
 * A host's claim on a running match: the node and the match's epoch when it took it. The store
 * refuses a host write whose claim no longer matches (another node adopted the match).
 */
export interface HostClaim {
  host: string;
  epoch: number;
}

/** What opening a session found: the player's match, and the session it replaced. */
export interface SessionOpened {
  /** The player's running (or pending) match, if any. */
  match: MatchPointer | null;
  /** The node of the older session this one replaced, when that was another node: it must drop its connection. */
  replaced?: string;
  /** A newer session of the player was opened already: this connection is stale and must go. */
  stale?: boolean;
  /** The last sequence number stamped for the player (0 before any): this connection is told what comes after it. */
  seq: number;
}

/**
 * A player's stamp for one event about their place in the matchmaking: their next sequence number,
 * taken in the store's step that changes the place, and their node at that moment (absent when
 * they were not connected), where the event goes. Their node hands their events over in this order.
 */
export interface Stamp {
  seq: number;
  node?: string;
}

/** A running match taken from a host whose lease lapsed. */
export interface LapsedMatch extends MatchRef {
  host: string;
}

/** How clients reach a node, as it announces itself. */
export interface NodeInfo {
  url?: string;
  region: string;
  /** The games the node loaded (every node of a deployment must load the same set). */
  games?: string[];
  /** When the node last described itself (epoch ms): it does at every heartbeat. */
  at?: number;
  /** How busy it is, and whether it is draining: where a draining node hands its matches. */
  load?: NodeLoad;
}

/** A node's load as it describes itself at every heartbeat. */
export interface NodeLoad {
  /** Open connections, and the most it takes (MAX_CONNECTIONS). */
  connections: number;
  capacity: number;
  /** It stopped taking new work (a deploy): no match goes to it. */
  draining: boolean;
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
  model: SkillModel;
  /** Elo: half-width of a fresh ticket's rating window (rating points). */
  initialWindow: number;
  /** Elo: how much the window widens per second waited. */
  widenPerSecond: number;
  /** Elo: largest window; 0 for none. */
  maxWindow: number;
  /**
   * OpenSkill: two tickets pair when seat 0's predicted chance to win lies within 0.5 +- w, for
   * the w of each ticket: `initialChance`, widened by `chancePerSecond` per second waited, up to
   * `maxChance` (0.5 accepts anyone).
   */
  initialChance: number;
  chancePerSecond: number;
  maxChance: number;
  /**
   * Two tickets pair only in a region where each player's latency is within their latency window:
   * `initialLatencyMs`, widened by `latencyPerSecondMs` per second waited, up to `maxLatencyMs`.
   * A player who sent no latencies counts as 0 ms from their node's region, unreachable elsewhere.
   */
  initialLatencyMs: number;
  latencyPerSecondMs: number;
  maxLatencyMs: number;
  readyTimeoutMs: number;
  /** A ticket whose node has not refreshed for this long is expired. */
  ticketTtlMs: number;
  /** Oldest tickets looked at per pass, and candidates per side of each: bounded work per pass. */
  scanOldest: number;
  scanCandidates: number;
  maxPairsPerPass: number;
}

export const DEFAULT_RULES: PairingRules = {
  model: { system: "elo", twoBetaSq: 0, sigmaCap: 0 },
  initialWindow: 100,
  widenPerSecond: 50,
  maxWindow: 0,
  initialChance: 0.03,
  chancePerSecond: 0.06,
  maxChance: 0.2,
  initialLatencyMs: 80,
  latencyPerSecondMs: 20,
  maxLatencyMs: 400,
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
  /** The player's stamp for `match:cancelled`. */
  stamp: Stamp;
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
