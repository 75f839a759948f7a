import { randomUUID } from "node:crypto";
import type { PlayerChannel } from "./player-channel.ts";
import type { Registry } from "prom-client";
import type { Logger } from "pino";
import type { CancelReason, HostInfo, PlayerId, StatsAnswer } from "../protocol/index.ts";
import type { RatingSystem } from "./rating-system.ts";
import { createMatchmakerMetrics, type MatchmakerMetrics } from "./metrics.ts";
import { JoinPairing } from "./join-pairing.ts";
import { NodeLiveness } from "./node-liveness.ts";
import type { MatchStore, QueueStore, SessionStore, WatchStore } from "./store.ts";
import type { NodeInfo, NodeLoad, SessionOpened, Cancellation, Latencies, MatchRecord, PairingRules, Ticket } from "./types.ts";

export interface MatchmakerOptions {
  store: SessionStore & QueueStore & MatchStore & Pick<WatchStore, "sweepGuests">;
  node: string;
  games: string[];
  /** A queue's pairing rules (a casual mode ignores ratings). */
  rules: (game: string, mode?: string) => PairingRules;
  intervalMs: number;
  /** How long a started match's host lease runs before the host must renew it. */
  leaseMs: number;
  /** How ratings are kept: a new player's rating, and predicted win chances (`match:found.quality`). */
  ratings: RatingSystem;
  /** How clients reach this node (`match:found.host` names it when it hosts). */
  self: NodeInfo;
  /** This node's load, told to the other nodes at every heartbeat (where a draining node hands its matches). */
  load?: () => NodeLoad;
  /** The games this node loaded: written beside `self` at every heartbeat (GAMES must agree across nodes). */
  gameSet?: string[];
  /** How players are told what happened, wherever they are connected. */
  channel: PlayerChannel;
  /** Receives each match whose two players are ready (the hand-off to the game rooms). */
  onMatchStarted: (match: MatchRecord) => void;
  /** A player in a match lost its connection with its node (the node died): the room should hold the seat. */
  onOrphan?: (orphan: { game: string; playerId: PlayerId; matchId: string }) => void;
  log: Logger;
  registry: Registry;
  clock?: () => number;
}

/** Who is asking: the player behind a connection. */
export interface Seeker {
  game: string;
  playerId: PlayerId;
  name: string;
  generation: number;
}

/** How long a queue's matcher lease lasts without renewal: another node takes over within this. */
const MATCHER_LEASE_MS = 1000;
/** The lease name of a game's ready-check sweep (a name no queue mode can have). */
const READY_CHECKS = "#ready-checks";

const newTicketId = () => `tk_${randomUUID().replaceAll("-", "")}`;
export const newMatchId = () => `m_${randomUUID().replaceAll("-", "")}`;

/**
 * One node's matchmaker: queues players, runs the periodic matcher and the ready-check sweeper for
 * every game, keeps this node's tickets alive, and tells players what happened, wherever they are.
 * All shared state is in the store, so any number of nodes can run one each.
 */
export class Matchmaker {
  private readonly metrics: MatchmakerMetrics;
  private readonly now: () => number;
  private timers: NodeJS.Timeout[] = [];
  private passing = false;
  private lastLoopError = 0;
  /** The queues (and ready-check sweeps) whose matcher lease this node holds. */
  private readonly matching = new Set<string>();
  /** How other nodes are reached, as they described themselves. */
  private readonly nodes = new Map<string, NodeInfo>();

  private readonly liveness: NodeLiveness;
  private readonly joinPairing = new JoinPairing((game, mode, ticketId) => {
    this.pairQueue(game, mode, ticketId).catch((error: unknown) => this.loopFailed(error));
  });

  constructor(private readonly options: MatchmakerOptions) {
    this.now = options.clock ?? Date.now;
    this.metrics = createMatchmakerMetrics(options.registry, options.store, options.games);
    this.liveness = new NodeLiveness({ ...options, now: this.now, expired: this.metrics.expired });
  }

  /** Starts the loops and announces this node (retried by the heartbeat loop while the store is unreachable). */
  async start(): Promise<void> {
    const ttl = Math.min(...this.options.games.map((g) => this.options.rules(g).ticketTtlMs));
    const every = (ms: number, work: () => Promise<void>) => {
      const timer = setInterval(() => void work().catch((error: unknown) => this.loopFailed(error)), ms);
      timer.unref();
      this.timers.push(timer);
    };
    // Checked often, written every ttl/3: a failed heartbeat (store unreachable) is retried within 250 ms.
    every(250, () => this.liveness.heartbeatIfDue());
    every(Math.max(500, Math.floor(ttl / 3)), () => this.liveness.sweep());
    every(this.options.intervalMs, () => this.pass());
    await this.liveness.heartbeat().catch((error: unknown) => this.loopFailed(error));
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
  }

  /** Announces this node at once (after the store lost its data). */
  heartbeatNow(): Promise<void> {
    return this.liveness.heartbeat();
  }

  private loopFailed(error: unknown): void {
    if (Date.now() - this.lastLoopError < 5000) return;
    this.lastLoopError = Date.now();
    this.options.log.warn({ err: error }, "matchmaker loop failed; retrying");
  }

  /** One matcher pass over every queue, then the overdue ready checks. Never runs twice at once. */
  async pass(): Promise<void> {
    if (this.passing) return;
    this.passing = true;
    try {
      for (const game of this.options.games) {
        for (const mode of await this.options.store.modes(game)) if (await this.holds(game, mode)) await this.pairQueue(game, mode);
        if (!(await this.holds(game, READY_CHECKS))) continue;
        const overdue = await this.options.store.overdueReadyChecks(game, this.now(), 100);
        for (const matchId of overdue) await this.cancel(game, matchId, "ready_timeout");
      }
    } finally {
      this.passing = false;
    }
  }

  /**
   * Whether this node runs the periodic work of a queue (or of a game's ready checks) now: one node
   * at a time holds each under a short lease, renewed every pass; another takes over within
   * `matcherLeaseMs` when it dies. So pairing work does not grow with the number of nodes.
   */
  private async holds(game: string, queue: string): Promise<boolean> {
    const ttl = Math.max(MATCHER_LEASE_MS, 3 * this.options.intervalMs);
    const held = await this.options.store.claimMatcher(game, queue, this.options.node, this.now(), ttl);
    const key = `${game}/${queue}`;
    if (held !== this.matching.has(key)) {
      if (held) this.matching.add(key);
      else this.matching.delete(key);
      this.options.log.info({ game, queue, node: this.options.node }, held ? "matching this queue now" : "another node matches this queue now");
    }
    return held;
  }

  private async pairQueue(game: string, mode: string, focusTicketId?: string): Promise<void> {
    const rules = this.options.rules(game, mode);
    const count = focusTicketId ? 1 : rules.maxPairsPerPass;
    const ids = Array.from({ length: count }, newMatchId);
    const made = await this.options.store.pair(game, mode, this.now(), rules, ids, focusTicketId);
    for (const match of made) {
      const host = await this.hostInfo(match.host ?? this.options.node);
      this.announce(match, host);
    }
  }

  /** How clients reach a match's host: this node as configured, another as it described itself (cached). */
  private async hostInfo(node: string): Promise<HostInfo> {
    if (node === this.options.node) return { node, ...this.options.self };
    let info = this.nodes.get(node);
    if (!info) {
      info = (await this.options.store.nodeInfo(node).catch(() => null)) ?? { region: this.options.self.region };
      this.nodes.set(node, info);
    }
    return { node, region: info.region, ...(info.url ? { url: info.url } : {}) };
  }

  /** A match made without a queue (a challenge, a code, a rematch): both players are told, as after a pairing. */
  async announceMade(match: MatchRecord): Promise<void> {
    this.announce(match, await this.hostInfo(match.host ?? this.options.node));
  }

  private announce(match: MatchRecord, host: HostInfo): void {
    const { game, matchId, players } = match;
    this.metrics.pairings.inc({ game, mode: match.mode });
    const paired = this.now();
    const labels = { game, mode: match.mode, region: host.region };
    // Direct matches (challenges, codes, rematches) waited in no queue: only queued pairings count.
    if (players[0].ticketId !== "") for (const p of players) this.metrics.timeToPair.observe(labels, Math.max(0, paired - p.enqueuedAt) / 1000);
    this.options.log.info(
      { game, matchId, players: players.map((p) => p.playerId), tickets: players.map((p) => p.ticketId), ratings: players.map((p) => p.rating) },
      "players paired; ready check started",
    );
    const info = players.map((p) => ({ playerId: p.playerId, name: p.name, rating: p.rating }));
    const [a, b] = players;
    const winChance = this.options.ratings.winChance(a, b);
    this.metrics.winChanceDistance.observe(labels, Math.abs(winChance - 0.5));
    for (const ms of match.latencyMs ?? []) this.metrics.pairingLatency.observe(labels, ms / 1000);
    const ratingGap = Math.abs(a.rating - b.rating);
    players.forEach((p, seat) => {
      const quality = { winChance, ratingGap, waitedMs: Math.max(0, paired - p.enqueuedAt) };
      const found = { matchId, game, mode: match.mode, seat: seat as 0 | 1, players: info, readyBy: match.readyBy, host, quality };
      this.options.channel.toPlayer(game, p.playerId, "match:found", found, match.stamps?.[seat]);
    });
  }

  private async cancel(game: string, matchId: string, reason: CancelReason, leaver?: PlayerId): Promise<Cancellation | null> {
    // Stamped before the store frees the players: any later pairing of theirs comes after this instant.
    const closedAt = Date.now();
    const cancelled = await this.options.store.cancelReadyCheck(game, matchId, reason, leaver);
    if (!cancelled) return null;
    this.metrics.readyChecks.inc({ game, outcome: reason });
    this.options.log.info({ game, matchId, reason, seats: cancelled.seats, closedAt }, "ready check cancelled");
    for (const seat of cancelled.seats) {
      this.options.channel.toPlayer(game, seat.playerId, "match:cancelled", { matchId, reason, requeued: seat.requeued }, seat.stamp);
    }
    return cancelled;
  }

  /** `queue:join`: queues the player and tries to pair the new ticket at once. */
  async join(seeker: Seeker, mode: string, restore?: { ticketId: string; enqueuedAt: number }, latencies?: Latencies): Promise<Ticket> {
    const { game, playerId, name } = seeker;
    const ticketId = restore?.ticketId ?? newTicketId();
    const request = { ticketId, playerId, name, game, mode, ...(latencies ? { latencies } : {}) };
    const ticket = await this.options.store.enqueue(request, restore?.enqueuedAt ?? this.now(), this.options.ratings.initial);
    this.options.log.info({ game, playerId, ticketId: ticket.ticketId, mode, rating: ticket.rating, latencies }, "player queued");
    // The ack goes out first; the join-time pairing attempt follows right behind it, in a slice.
    this.joinPairing.add(game, mode, ticket.ticketId);
    return ticket;
  }

  /** `queue:leave`: removes the ticket, or cancels the ready check the player is in. */
  async leave(seeker: Seeker): Promise<boolean> {
    // A ready check can be cancelled by its deadline between our two steps, putting the player back
    // in the queue: look again, so that a leave always leaves.
    for (let attempt = 0; attempt < 3; attempt++) {
      const departure = await this.options.store.dequeue(seeker.game, seeker.playerId);
      if (departure.ticket) {
        this.options.log.info({ game: seeker.game, playerId: seeker.playerId, ticketId: departure.ticketId }, "player left the queue");
        return true;
      }
      if (departure.match?.state !== "ready_check") return false;
      if (await this.cancel(seeker.game, departure.match.matchId, "opponent_left", seeker.playerId)) return true;
    }
    return false;
  }

  /** `match:ready`: when this completes the check, the match goes to the game rooms. */
  async ready(seeker: Seeker, matchId: string): Promise<void> {
    const host = { node: this.options.node, now: this.now(), leaseMs: this.options.leaseMs };
    const { match, started } = await this.options.store.markReady(seeker.game, matchId, seeker.playerId, host);
    if (!started) return;
    this.metrics.readyChecks.inc({ game: seeker.game, outcome: "started" });
    this.options.log.info({ game: seeker.game, matchId }, "both players ready; handing the match to the game rooms");
    this.options.onMatchStarted(match);
  }

  /** A connection now holds the player's session on this node; returns the match the player is in, if any. */
  async sessionOpened(seeker: Seeker): Promise<SessionOpened> {
    return this.options.store.openSession(seeker.game, seeker.playerId, this.options.node, seeker.generation, this.now(), seeker.name);
  }

  /**
   * A connection closed. Unless a newer connection took over, its ticket is removed and a ready
   * check it was in is cancelled. Returns the running match it left, for the game rooms.
   */
  async sessionClosed(seeker: Seeker): Promise<string | undefined> {
    const departure = await this.options.store.closeSession(seeker.game, seeker.playerId, seeker.generation);
    if (!departure) return undefined;
    if (departure.ticket)
      this.options.log.info({ game: seeker.game, playerId: seeker.playerId, ticketId: departure.ticketId }, "ticket removed: player disconnected");
    if (departure.match?.state === "ready_check") {
      await this.cancel(seeker.game, departure.match.matchId, "opponent_left", seeker.playerId);
      return undefined;
    }
    return departure.match?.matchId;
  }

  async stats(game: string): Promise<StatsAnswer> {
    const [counts, waits] = await Promise.all([this.options.store.counts(game), this.options.store.recentWaits(game)]);
    if (waits.length === 0) return counts;
    const sorted = waits.sort((a, b) => a - b);
    const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
    return { ...counts, timeToMatch: { p50Ms: at(0.5), p95Ms: at(0.95), samples: sorted.length } };
  }
}
