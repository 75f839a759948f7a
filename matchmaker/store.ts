import type { HistoryEntry, LeaderboardEntry, LiveMatch, LobbyPage, LobbyStatus, MatchEnd, PlayerId, Replay } from "../protocol/index.ts";
import type {
  LapsedMatch,
  NodeInfo,
  SessionOpened,
  Sweep,
  HostLease,
  MatchRef,
  Cancellation,
  Departure,
  GameCounts,
  MatchRecord,
  PairingRules,
  Rated,
  Ticket,
  TicketRequest,
  HostClaim,
  Stamp,
} from "./types.ts";
import type { CancelReason } from "../protocol/index.ts";

/**
 * Matchmaking state shared by every node, split by role: each part of the server takes only the
 * roles it uses. Every method is atomic; `now` is passed in (epoch ms) so tests can drive the clock.
 * Implemented by `redisStore` (several nodes) and `memoryStore` (one node), each composed of one
 * object per role (`redis/`, `memory/`) over one shared state; both pass one conformance suite, per role.
 */

/** Where players are connected, and which nodes are alive. */
export interface SessionStore {
  /** Marks a node alive at `now`; its tickets stay valid while it keeps doing so. */
  heartbeat(node: string, now: number): Promise<void>;
  /** Removes what nodes silent for longer than `ttlMs` left behind: tickets expire, sessions close (players in matches are reported). */
  sweepDeadNodes(now: number, ttlMs: number): Promise<Sweep>;
  /**
   * Records (and counts as a heartbeat of `node`) that the player's live connection in `game` is on
   * `node`, with this generation (newer wins); tells which node held the session before, or that a
   * newer one exists.
   */
  openSession(game: string, playerId: PlayerId, node: string, generation: number, now: number, name?: string): Promise<SessionOpened>;
  /** Records how clients reach a node (its public URL and region). */
  describeNode(node: string, info: NodeInfo): Promise<void>;
  /** The nodes heard from within `ttlMs`, each as it described itself (GET /v1/regions). */
  liveNodes(now: number, ttlMs: number): Promise<(NodeInfo & { node: string })[]>;
  /** Every node that described itself and was not swept as dead, as it last did. */
  describedNodes(): Promise<(NodeInfo & { node: string })[]>;
  /** How clients reach a node, as it last described itself (null when it never did). */
  nodeInfo(node: string): Promise<NodeInfo | null>;
  /** The node holding the player's live connection, if any. */
  sessionNode(game: string, playerId: PlayerId): Promise<string | null>;
  /**
   * How long ago (ms, by the store's clock) each of the player's sequence numbers strictly between
   * `after` and `before` that the store still keeps (the last 16) was stamped: what a node asks
   * when numbers are missing from the events it got (one not kept is older than those).
   */
  stampAges(game: string, playerId: PlayerId, after: number, before: number): Promise<number[]>;
  /** The connection of that generation closed: removes its ticket, unless a newer connection took over. */
  closeSession(game: string, playerId: PlayerId, generation: number): Promise<Departure | null>;
}

/** Tickets in queues, and pairing them. */
export interface QueueStore {
  /** Queues a player with their rating in that mode (`initial` when they have none); throws ArenaError ALREADY_QUEUED or ALREADY_IN_MATCH. */
  enqueue(request: TicketRequest, now: number, initial: Rated): Promise<Ticket>;
  /** Removes the player's ticket; tells what the player had (a ticket, or a match). */
  dequeue(game: string, playerId: PlayerId): Promise<Departure>;
  /** Queue modes of a game that have or had tickets. */
  modes(game: string): Promise<string[]>;
  /** One bounded pairing pass over a queue (or around one ticket); returns the matches made. */
  pair(game: string, mode: string, now: number, rules: PairingRules, matchIds: string[], focusTicketId?: string): Promise<MatchRecord[]>;
  /**
   * The queue's matcher lease: true when `node` holds it (taken when free or lapsed, renewed by its
   * holder for `ttlMs`). One node at a time runs a queue's periodic matching.
   */
  claimMatcher(game: string, mode: string, node: string, now: number, ttlMs: number): Promise<boolean>;
  /** Tickets waiting per mode of a game. */
  queueSizes(game: string): Promise<Record<string, number>>;
  /** How long the game's last 200 paired players waited (ms), newest first. */
  recentWaits(game: string): Promise<number[]>;
  counts(game: string): Promise<GameCounts>;
}

/** Paired players: ready checks, running matches and their hosts' leases. */
export interface MatchStore {
  getMatch(game: string, matchId: string): Promise<MatchRecord | null>;
  /** Marks a player ready; throws UNKNOWN_MATCH / NOT_IN_MATCH. `started` is true for the call that completed the check. */
  markReady(game: string, matchId: string, playerId: PlayerId, host: HostLease): Promise<{ match: MatchRecord; started: boolean }>;
  /** Ready checks whose deadline has passed (at most `limit`). */
  overdueReadyChecks(game: string, now: number, limit: number): Promise<string[]>;
  /** Cancels a ready check if it is still one: ready players (not the leaver) are requeued with their enqueuedAt. */
  cancelReadyCheck(game: string, matchId: string, reason: CancelReason, leaver?: PlayerId): Promise<Cancellation | null>;
  /**
   * Ends a match: its players are free to queue again; its lease is dropped. With `ending.claim`,
   * only while that claim still holds the running match (null otherwise, and nothing changes).
   * Answers the players' stamps for the end.
   */
  endMatch(game: string, matchId: string, ending?: MatchEnding): Promise<EndStamps | null>;
  /**
   * A host records the end of its match in one atomic step, exactly once: the new ratings, the end
   * (its players freed) and the archive (replay, histories, leaderboard). `recorded`: done now;
   * `already`: this same claim recorded it before (a retry whose reply was lost); `refused`: the
   * claim does not hold the match (another node adopted it, or it was ended otherwise); `unknown`:
   * the store knows nothing of it (it lost its data, or the end is older than a minute). Nothing is
   * written but when `recorded`.
   */
  finishMatch(game: string, result: MatchResult): Promise<Finished>;
  /**
   * A host keeps the lease on all its matches alive until `until`: one write per game, whatever the
   * number of matches. `matches` go back into its set (a claim of its own matches taken by mistake);
   * `delivered` are ends it recorded with itself as `host` and has told their players about.
   */
  renewHost(node: string, until: number, matches?: MatchRef[], delivered?: MatchRef[]): Promise<void>;
  /** The matches of a game in `node`'s host set: those it hosts, and ends it has not confirmed yet. */
  hostSet(game: string, node: string): Promise<string[]>;
  /**
   * Takes up to `limit` running matches of hosts whose lease lapsed, each for one caller at a time;
   * one that its taker does not end is handed out again a few seconds later (at least once, never lost).
   */
  claimLapsedHosts(now: number, limit: number): Promise<LapsedMatch[]>;
  /**
   * Keeps the latest snapshot of running matches hosted by `node` (one call per game). Returns the
   * matches another node adopted after `node`'s lease lapsed; a match the store does not hold (it
   * ended, or the store lost its data) is skipped.
   */
  saveSnapshots(game: string, node: string, snapshots: MatchSnapshotEntry[]): Promise<string[]>;
  /**
   * `node` adopts a running match of the lapsed host `from` (claimed from it): it becomes the host,
   * under a lease until `until`, and gets the latest snapshot. `snapshot` is absent when there is
   * none (the match cannot be resumed); null when the match ended or another node adopted it.
   */
  adoptMatch(game: string, matchId: string, node: string, from: string, until: number): Promise<Adoption | null>;
}

/**
 * One running match's snapshot, as its host serialised it, and the epoch of the host's claim
 * (fencing). Its replay's inputs are a list the store appends to: `inputs` are those since the
 * `from`-th (the store skips any it holds already).
 */
export interface MatchSnapshotEntry {
  matchId: string;
  snapshot: string;
  epoch?: number;
  from?: number;
  inputs?: string[];
}

/** The end of a match as its host records it (`finishMatch`). */
export interface MatchResult {
  matchId: string;
  mode: string;
  claim: HostClaim;
  /** New ratings; null when they do not change (aborted, casual). */
  ratings: Record<PlayerId, Rated> | null;
  /** How long a guest's rating lives after this match. */
  guestTtlMs: number;
  end: MatchEnd;
  archive: MatchArchive;
}

export type FinishOutcome = "recorded" | "already" | "refused" | "unknown";

/** The players' stamps for a match's `match:end`, in seat order. */
export type EndStamps = [Stamp, Stamp];

/** What `finishMatch` did, and (when `recorded`) the players' stamps for the end. */
export interface Finished {
  outcome: FinishOutcome;
  stamps?: EndStamps;
}

/**
 * A match taken from a lapsed host: its record (now naming the adopter) and latest snapshot; or,
 * when the host had ended it but died before confirming it told the players, its end.
 */
export type Adoption =
  | { match: MatchRecord; snapshot?: string; inputs?: string[]; truncated?: boolean }
  | { ended: { players: PlayerId[]; end: MatchEnd; stamps: EndStamps } };

/** How a match ended, kept a minute; `host` tells the players, and confirms it (`renewHost`); `claim` fences the end. */
export interface MatchEnding {
  end: MatchEnd;
  host?: string;
  claim?: HostClaim;
}

/**
 * The lobby: who is online in a game, page by page, and matches two players make without a queue
 * (a challenge, a private code, a rematch), from short-lived offers.
 */
export interface LobbyStore {
  /** Players online in `game` in playerId order after `after` ('' for the start), at most `limit`, with their status. */
  lobbyPage(game: string, after: string, limit: number): Promise<LobbyPage>;
  /** A player's status in `game`; null when not online there. */
  playerStatus(game: string, playerId: PlayerId): Promise<LobbyStatus | null>;
  /** Keeps an offer under `key` for `ttlMs`; false when one with that key exists already. */
  putOffer(game: string, key: string, offer: string, ttlMs: number): Promise<boolean>;
  getOffer(game: string, key: string): Promise<string | null>;
  dropOffer(game: string, key: string): Promise<boolean>;
  /**
   * Makes a ready check for two players, without a queue; both must be online and neither queued
   * nor in a match (UNKNOWN_PLAYER, ALREADY_QUEUED, ALREADY_IN_MATCH), and the offer it uses up
   * must still exist (UNKNOWN_CODE). The host is the first player's node.
   */
  makeMatch(game: string, request: DirectMatch): Promise<MatchRecord>;
  /**
   * A player of a match that ended within `windowMs` asks for a rematch (UNKNOWN_MATCH after it,
   * NOT_IN_MATCH for others): waiting for the opponent, or both asked (seats swapped).
   */
  askRematch(game: string, matchId: string, playerId: PlayerId, now: number, windowMs: number): Promise<RematchAsk>;
}

/** A match two named players make without a queue. `offer`: the key of the offer it uses up. */
export interface DirectMatch {
  matchId: string;
  mode: string;
  players: [PlayerId, PlayerId];
  now: number;
  readyTimeoutMs: number;
  /** A player's rating when they have none in that mode. */
  initial: Rated;
  offer?: string;
  /** Changes no rating whatever its mode. */
  casual?: boolean;
}

export type RematchAsk = { waiting: true; opponent: PlayerId } | { waiting: false; players: [PlayerId, PlayerId]; mode: string };

/** The offer key of a finished match's record, which a rematch uses up. */
export const finishedKey = (matchId: string) => `fin:${matchId}`;

/**
 * What there is to watch: running matches (with their spectator counts), and finished ones kept for
 * a while: replays, each player's last 20 matches, and leaderboards kept current as matches end.
 */
export interface WatchStore {
  /** Running matches of a game, newest first. */
  liveMatches(game: string, limit: number): Promise<LiveMatch[]>;
  /** The host's count of a running match's spectators. */
  setSpectators(game: string, matchId: string, count: number): Promise<void>;
  /** Keeps a finished match: its replay for `replayTtlMs`, the players' histories, and (ranked) the leaderboard. */
  archiveMatch(game: string, archive: MatchArchive): Promise<void>;
  /**
   * Forgets, a bounded batch per call, the leaderboard entries (count, name, rank) of guests whose
   * ratings expired: a guest lives as long as its token, and leaves nothing behind. Returns how many.
   */
  sweepGuests(game: string): Promise<number>;
  replay(game: string, matchId: string): Promise<Replay | null>;
  history(game: string, playerId: PlayerId): Promise<HistoryEntry[]>;
  leaderboard(game: string, mode: string, limit: number): Promise<LeaderboardEntry[]>;
}

/** A finished match as `archiveMatch` keeps it. */
export interface MatchArchive {
  replay: Replay;
  replayTtlMs: number;
  /** Ranked matches move the leaderboard. */
  ranked: boolean;
  /** Each player's rating after the match, and the entry of their history. */
  players: { playerId: PlayerId; name: string; rating: number; entry: HistoryEntry }[];
}

/** A player's history lasts this long after their last match. */
export const HISTORY_TTL_MS = 30 * 86_400_000;

/**
 * Players' ratings per game and mode. A guest's rating (`isGuest`) expires `guestTtlMs` after its
 * last change (the lifetime of a guest token), so guests leave no rating behind.
 */
export interface RatingStore {
  getRating(game: string, mode: string, playerId: PlayerId, initial: Rated): Promise<Rated>;
  setRatings(game: string, mode: string, ratings: Record<PlayerId, Rated>, guestTtlMs: number): Promise<void>;
}

/** Every role, and the store as a whole. */
export interface MatchmakingStore extends SessionStore, QueueStore, MatchStore, RatingStore, LobbyStore, WatchStore {
  /**
   * The store's epoch: set to `candidate` if it has none, and returned. A node that sees the epoch
   * change knows the store lost its data (a Redis restart without persistence).
   */
  epoch(candidate: string): Promise<string>;
  close(): Promise<void>;
}
