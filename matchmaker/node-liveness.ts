import type { Logger } from "pino";
import type { Counter } from "prom-client";
import type { PlayerId } from "../protocol/index.ts";
import type { MatchStore, QueueStore, SessionStore, WatchStore } from "./store.ts";
import type { NodeInfo, NodeLoad, PairingRules } from "./types.ts";

/** How often a node walks a step of the leaderboards for expired guests (a bounded batch each time). */
const GUEST_SWEEP_MS = 5000;

/** What liveness needs of the matchmaker's options (the same names). */
export interface LivenessOptions {
  store: SessionStore & QueueStore & MatchStore & Pick<WatchStore, "sweepGuests">;
  node: string;
  self: NodeInfo;
  /** This node's load, written beside `self` at every heartbeat. */
  load?: () => NodeLoad;
  gameSet?: string[];
  games: string[];
  rules: (game: string) => PairingRules;
  log: Logger;
  onOrphan?: (orphan: { game: string; playerId: PlayerId; matchId: string }) => void;
  now: () => number;
  /** Counts tickets expired because their node went silent. */
  expired: Counter<"game">;
}

/**
 * This node's liveness in the store, and its judgement of the others': it heartbeats (and describes
 * itself: how clients reach it, its games), and expires the tickets and sessions of nodes gone silent.
 */
export class NodeLiveness {
  private lastHeartbeat = 0;
  private lastGuestSweep = 0;
  /** Since when this node's heartbeats have landed without a gap (0: none yet). */
  private heartbeatingSince = 0;

  constructor(private readonly options: LivenessOptions) {}

  private ttl(pick: (...ttls: number[]) => number): number {
    return pick(...this.options.games.map((g) => this.options.rules(g).ticketTtlMs));
  }

  /** Heartbeats when the last one is a third of the ticket TTL old (or failed). */
  async heartbeatIfDue(): Promise<void> {
    if (this.options.now() - this.lastHeartbeat >= this.ttl(Math.min) / 3) await this.heartbeat();
  }

  async heartbeat(): Promise<void> {
    const now = this.options.now();
    await this.options.store.heartbeat(this.options.node, now);
    await this.options.store.describeNode(this.options.node, {
      ...this.options.self,
      ...(this.options.gameSet ? { games: this.options.gameSet } : {}),
      ...(this.options.load ? { load: this.options.load() } : {}),
      at: now,
    });
    // Heartbeats are written every ttl/3: a longer gap means this node could not reach the store.
    if (this.lastHeartbeat === 0 || now - this.lastHeartbeat > this.ttl(Math.min) / 2) this.heartbeatingSince = now;
    this.lastHeartbeat = now;
  }

  /**
   * Expires the tickets and sessions of nodes silent for longer than the TTL. Only a node whose own
   * heartbeats have landed for a whole TTL judges: after an outage that every node suffered (Redis
   * unreachable), everyone's last heartbeat is old, and a node back first would sweep live nodes.
   */
  async sweep(): Promise<void> {
    const { store, log, now } = this.options;
    const ttl = this.ttl(Math.max);
    if (this.heartbeatingSince === 0 || now() - this.heartbeatingSince < ttl) return;
    const { expired, orphans } = await store.sweepDeadNodes(now(), ttl);
    if (now() - this.lastGuestSweep >= GUEST_SWEEP_MS) {
      this.lastGuestSweep = now();
      for (const game of this.options.games) {
        const removed = await store.sweepGuests(game);
        if (removed) log.info({ game, removed }, "leaderboard entries of expired guests forgotten");
      }
    }
    for (const orphan of orphans) {
      log.info(orphan, "player's node went silent during a match; telling the host");
      this.options.onOrphan?.(orphan);
    }
    for (const ticket of expired) {
      this.options.expired.inc({ game: ticket.game });
      log.info({ game: ticket.game, playerId: ticket.playerId, ticketId: ticket.ticketId }, "ticket expired: its node went silent");
    }
  }
}
