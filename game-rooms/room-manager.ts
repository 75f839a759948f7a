import type { Logger } from "pino";
import type { PlayerChannel } from "../matchmaker/index.ts";
import type { NodeRelay } from "./node-relay.ts";
import type { Registry } from "prom-client";
import { ArenaError, ErrorCode, type GameInputPayload, type HostInfo, type PlayerId } from "../protocol/index.ts";
import type { SpectateStart, StateAck } from "./room-types.ts";
import type { MatchPointer, MatchRecord, MatchStore, RatingStore, RatingSystem, SessionStore, WatchStore } from "../matchmaker/index.ts";
import type { GameRegistry } from "./game-registry.ts";
import { HostLeases } from "./host-leases.ts";
import { MatchLookup, type InputApplied, type InputRefused } from "./match-lookup.ts";
import { HostRouter } from "./host-router.ts";
import { MatchHandover } from "./match-handover.ts";
import { MatchMigration } from "./match-migration.ts";
import { MatchResults } from "./match-results.ts";
import { RoomHost } from "./room-host.ts";
import type { StreamSnapshot, StreamStats } from "./stream-stats.ts";

/** How often a host looks for matches it was chosen for but does not run. */
const RECONCILE_MS = 5000;

export interface RoomManagerOptions {
  node: string;
  /** How clients reach this node (`match:resumed.host`). */
  self: Omit<HostInfo, "node">;
  games: GameRegistry;
  channel: PlayerChannel;
  store: MatchStore & RatingStore & Pick<SessionStore, "sessionNode" | "liveNodes"> & WatchStore;
  relay: NodeRelay;
  log: Logger;
  registry: Registry;
  /** How ratings move when a match ends. */
  ratings: RatingSystem;
  /** How long a guest's rating lives after its last match. */
  guestRatingTtlMs: number;
  graceMs: number;
  lagMs: number;
  leaseMs: number;
  /** How long a finished match's replay is kept. */
  replayTtlMs: number;
  /** The most inputs a replay keeps. */
  maxReplayInputs: number;
  /** Spectators a match takes at most. */
  maxSpectators: number;
  /** How often hosts write their matches' snapshots, so another node can resume them; 0: never (one node). */
  snapshotMs: number;
  requestTimeoutMs: number;
  /** How long a node's last heartbeat counts it live (where a draining node may hand its matches). */
  liveMs: number;
  /** Clients acknowledge every state whose tick is a multiple of this (real-time games). */
  stateAckEvery: number;
}

/**
 * The game rooms as players see them, from any node: each player event goes to the room when it is
 * hosted here (`RoomHost`), and to its host through the relay otherwise (`HostRouter`). Hosts keep
 * leases on their matches (`HostLeases`) and write snapshots of them, so that another node resumes
 * them when their host dies (`MatchMigration`); ends are recorded with new ratings (`MatchResults`).
 */
export class RoomManager {
  private readonly host: RoomHost;
  private readonly router: HostRouter;
  /** Every player event finds its match here, local or remote, as one handle. */
  private readonly matches: MatchLookup;
  private readonly leases: HostLeases;
  private readonly migration: MatchMigration;
  /** Where a draining node's matches go on (with snapshots only: one node alone has nowhere to send them). */
  private readonly handover: MatchHandover | undefined;
  private timers: NodeJS.Timeout[] = [];
  /** Matches a drain handed off that no node adopted in time. */
  private leftBehind = 0;
  /** Spectated matches seen over at the last sweep. */
  private spectatedOver = new Set<string>();
  /** Exact counters and microsecond histograms of the state stream (`GET /metrics/latency`). */
  readonly stream: StreamStats;

  constructor(private readonly options: RoomManagerOptions) {
    const { node, store, relay, channel, log } = options;
    const results = new MatchResults(store, options.ratings, options.guestRatingTtlMs, log, (game, end, players, stamps) => {
      players.forEach((playerId, seat) => channel.toPlayer(game, playerId, "match:end", end, stamps?.[seat]));
    });
    const migrating = options.snapshotMs > 0;
    this.host = new RoomHost({ ...options, sessions: store, watch: store, results, onStarted: migrating ? (room) => this.migration.started(room) : undefined });
    this.stream = this.host.stream;
    this.migration = new MatchMigration({ node, store, channel, host: this.host, log, leaseMs: options.leaseMs, snapshotMs: options.snapshotMs });
    this.router = new HostRouter({
      node,
      store,
      relay,
      channel,
      host: this.host,
      requestTimeoutMs: options.requestTimeoutMs,
      log,
      takeOver: async (game, matchId, from) => {
        if (!migrating) return;
        if (!(await this.migration.adopt({ game, matchId, host: from }, true)))
          log.warn({ game, matchId, from }, "a match handed over has no readable snapshot: left to the lapsed-host path");
      },
    });
    this.handover = migrating
      ? new MatchHandover({ node, region: options.self.region, store, liveMs: options.liveMs, host: this.host, migration: this.migration, relay, channel, log })
      : undefined;
    this.matches = new MatchLookup(this.host, this.router, store, node);
    this.leases = new HostLeases({
      node,
      store,
      results,
      channel,
      log,
      leaseMs: options.leaseMs,
      hosted: () => this.host.hosted(),
      relinquish: (matchId) => this.host.relinquish(matchId),
      delivered: () => this.host.takeDelivered(),
      adopt: migrating ? (lapsed) => this.migration.adopt(lapsed) : undefined,
    });
  }

  start(): void {
    const every = (ms: number, work: () => Promise<void> | void) => {
      const timer = setInterval(() => {
        Promise.resolve()
          .then(work)
          .catch((error: unknown) => this.options.log.warn({ err: error }, "room upkeep failed; retrying"));
      }, ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(Math.max(100, Math.floor(this.options.leaseMs / 3)), () => this.leases.renew());
    every(Math.max(200, Math.floor(this.options.leaseMs / 3)), () => this.leases.reapLapsed());
    every(250, () => this.router.expire());
    const games = this.options.games.list().map((g) => g.name);
    every(RECONCILE_MS, () => this.leases.reconcile(games));
    every(RECONCILE_MS, () => this.sweepSpectators());
    if (this.options.snapshotMs > 0) every(this.migration.sliceMs, () => this.migration.saveSlice());
  }

  /**
   * A match whose players are both ready: hosted here when this node is its host (chosen at
   * pairing), else handed to its host through the relay.
   */
  async hostMatch(match: MatchRecord): Promise<void> {
    if (match.host && match.host !== this.options.node) return this.router.send(match.host, { t: "host", game: match.game, matchId: match.matchId });
    return this.host.host(match);
  }

  streamSnapshot(tickRate?: number): Promise<StreamSnapshot> {
    return this.host.streamSnapshot(tickRate);
  }

  /**
   * `game:input`, queued for the host's next tick with callbacks, never a promise (the busiest
   * answered event). `resolve` gets the tick that applied it and `reject` a later refusal; one
   * known at once throws. Without them (fire and forget) a later refusal is only counted.
   */
  queueInput(game: string, playerId: PlayerId, sent: GameInputPayload, resolve?: InputApplied, reject?: InputRefused): void {
    const { matchId, seq } = sent;
    const parsed = this.readInput(game, sent.input);
    const match = this.matches.forPlayer(game, matchId, playerId);
    if (!(match instanceof Promise)) return match.queueInput(playerId, seq, parsed, resolve, reject);
    match.then((found) => found.queueInput(playerId, seq, parsed, resolve, reject)).catch(reject ?? (() => undefined));
  }

  private readInput(game: string, input: unknown): unknown {
    const module = this.options.games.get(game)!;
    const fast = module.readInput?.(input);
    if (fast !== undefined) return fast;
    const parsed = module.inputSchema.safeParse(input);
    if (!parsed.success) throw new ArenaError(ErrorCode.BAD_REQUEST, `input: ${parsed.error.issues[0]?.message ?? "invalid"}`);
    return parsed.data;
  }

  /** `match:leave`: forfeits. */
  async leave(game: string, playerId: PlayerId, matchId: string): Promise<void> {
    await (await this.matches.forPlayer(game, matchId, playerId)).forfeit(playerId);
  }

  /** `match:spectate`: watches a running match on any node; its states follow, unacknowledged. */
  async spectate(game: string, playerId: PlayerId, matchId: string): Promise<SpectateStart> {
    const answer = await (await this.matches.forSpectator(game, matchId, playerId)).spectate(playerId);
    this.options.channel.spectators(game, matchId).add(playerId);
    return answer;
  }

  /** `match:unspectate`, or a spectator's connection closed: the host stops counting them. */
  async unspectate(game: string, playerId: PlayerId, matchId: string): Promise<void> {
    this.options.channel.spectators(game, matchId).remove(playerId);
    (await this.matches.ofRecord(game, matchId))?.unspectate(playerId);
  }

  /** `chat:send`: relayed to both players of the match (membership checked here, then `allow`, the chat budget). */
  async chat(game: string, playerId: PlayerId, name: string, matchId: string, text: string, allow: () => boolean): Promise<void> {
    const { players } = await this.matches.forPlayer(game, matchId, playerId);
    if (!players.includes(playerId)) throw new ArenaError(ErrorCode.NOT_IN_MATCH, "you are not playing this match");
    if (!allow()) throw new ArenaError(ErrorCode.RATE_LIMITED, "chat: at most 5 lines at once, then 1 per second");
    const message = { matchId, from: playerId, name, text, at: Date.now() };
    for (const p of players) this.options.channel.toPlayer(game, p, "chat", message);
  }

  /** A player's connection opened on this node while in a running match: resume it. */
  playerConnected(game: string, playerId: PlayerId, match: MatchPointer | null): void {
    if (!match || match.state !== "playing" || !match.host) return;
    this.matches.atHost(game, match.matchId, match.host, playerId).attach(playerId);
  }

  /**
   * `state:ack`: the host's room takes it; a node that relays the match's states for this player
   * passes it on to the host. Anything else (a malformed one is undefined) is dropped and counted:
   * it is never answered.
   */
  stateAck(game: string, playerId: PlayerId, ack: StateAck | undefined): void {
    if (!ack) {
      this.stream.counters.stateAcksDropped++;
      return;
    }
    const { matchId, tick } = ack;
    const room = this.host.getForAck(matchId);
    if (room && room.game.name === game) {
      room.acknowledge(playerId, tick);
      return;
    }
    const host = this.router.relayedHost(game, matchId, playerId);
    if (host) return this.router.send(host, { t: "ack", matchId, playerId, tick });
    this.stream.counters.stateAcksDropped++;
  }

  /** A player's connection closed (and no newer one took over) while in a running match. */
  async playerDisconnected(game: string, playerId: PlayerId, matchId: string): Promise<void> {
    const match = await Promise.resolve()
      .then(() => this.matches.forPlayer(game, matchId, playerId))
      .catch(() => undefined);
    match?.detach(playerId);
  }

  /**
   * Lets go of this node's spectator groups whose match is over but whose end never came (the
   * match was aborted by the node that took a dead host's matches, which does not know who
   * watched). A match must be seen over at two sweeps in a row: its end may be on its way.
   */
  async sweepSpectators(): Promise<void> {
    const { channel, store, log, node } = this.options;
    const over = new Set<string>();
    for (const [game, matchId] of [...channel.spectated()]) {
      if (this.host.get(game, matchId)) continue;
      const match = await store.getMatch(game, matchId);
      if (match?.state === "playing") continue;
      const key = `${game}|${matchId}`;
      if (!this.spectatedOver.has(key)) {
        over.add(key);
        continue;
      }
      channel.spectators(game, matchId).close();
      log.info({ game, matchId, node }, "spectators let go: their match is over and its end never reached this node");
    }
    this.spectatedOver = over;
  }

  /**
   * Stops hosting. With live nodes to take them, running matches are handed over (`MatchHandover`)
   * within `drainMs`; otherwise they get `drainMs` to finish, and the rest are aborted.
   */
  async drain(drainMs: number): Promise<void> {
    const deadline = Date.now() + drainMs;
    const targets = (await this.handover?.targets().catch(() => [])) ?? [];
    if (this.handover && targets.length) {
      try {
        const { left } = await this.handover.handOver(targets, deadline);
        // A match that started during the first hand-over (its ready check had completed) goes the same way.
        const late = await this.handover.handOver(targets, deadline);
        this.leftBehind = left + late.left;
      } catch (error) {
        // The rooms handed off stay in this node's set: the lease decides (let go at stop, or lapsing).
        this.leftBehind = [...this.host.hosted()].length;
        this.options.log.error({ err: error }, "handing matches over failed: the lapsed-host path adopts them from their last snapshots");
      }
    } else if (this.handover) this.options.log.info("draining: no live node takes matches; running matches get the grace to finish");
    await this.host.drain(Math.max(0, deadline - Date.now()));
  }

  /**
   * Lets this node's lease go once it hosts nothing (after `drain`): the ends it told are confirmed
   * first, then any match a drain could not hand over is adopted at once by the lapsed-host path.
   */
  async release(): Promise<void> {
    if (!this.leftBehind) return;
    await this.leases.renew();
    await this.options.store.renewHost(this.options.node, 0);
    this.options.log.warn({ matches: this.leftBehind }, "lease let go: live nodes adopt the matches not handed over");
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    await this.release().catch((error: unknown) => this.options.log.warn({ err: error }, "could not let the lease go: the matches left wait for it to lapse"));
    this.host.stop();
    this.router.stop();
  }
}
