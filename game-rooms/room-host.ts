import { randomInt } from "node:crypto";
import type { MatchGroup, PlayerChannel } from "../matchmaker/index.ts";
import type { NodeRelay } from "./node-relay.ts";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { type EndReason, type HostInfo, type PlayerId, type ReplayInput, type Seat, type SpectateAnswer, type StatePayload } from "../protocol/index.ts";
import type { MatchRecord, MatchRef, MatchSnapshotEntry, SessionStore, WatchStore } from "../matchmaker/index.ts";
import type { GameRegistry } from "./game-registry.ts";
import type { MatchResults } from "./match-results.ts";
import { cachedChild, createRoomMetrics, type RoomMetrics } from "./metrics.ts";
import { archiveOf } from "./match-archive.ts";
import { RoomSpectators } from "./room-spectators.ts";
import { endPayload, Room, type RoomOptions, type RoomPort, type RoomSnapshot, type SeatState } from "./room.ts";
import { StreamStats, type StreamSnapshot } from "./stream-stats.ts";
import { TickScheduler } from "./tick-scheduler.ts";

/** Where a seat's player is, when the room knows it (a disconnected player may come back anywhere). */
const nodeOf = (seat: SeatState) => (seat.connected ? seat.node : undefined);

/** A forfeit this soon after the start changes no rating. */
export const EARLY_FORFEIT_MS = 10_000;

/** What a room takes from its match's record: its mode, its host's claim, whether it is rated. */
function matchOptions(match: MatchRecord): Pick<RoomOptions, "mode" | "hostEpoch" | "rated"> {
  return { mode: match.mode, hostEpoch: match.epoch ?? 1, rated: match.mode !== "casual" && !match.casual };
}

/** A room's snapshot as the store takes it. */
export function entryOf(room: Room): MatchSnapshotEntry {
  const { head, from, inputs } = room.snapshot();
  return { matchId: room.matchId, snapshot: head, epoch: room.hostEpoch, from, inputs };
}

/** How long an ended room stays known, so that acks of its last states still count. */
const RETIRE_MS = 2000;

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

/**
 * The rooms this node hosts: starts them, ticks them on the shared scheduler, sends their states
 * (to local players through the channel, to players on other nodes through the relay), and ends
 * them. Who may act on a room is decided before it gets here.
 */
export class RoomHost {
  private readonly rooms = new Map<string, Room>();
  private readonly retired = new Map<string, Room>();
  /** Per hosted match, its players on this node. */
  private readonly groups = new Map<string, MatchGroup>();
  private readonly finishing = new Set<Promise<void>>();
  /** Ends told to their players since the lease's last renewal. */
  private delivered: MatchRef[] = [];
  private readonly scheduler: TickScheduler;
  private readonly metrics: RoomMetrics;
  private readonly port: RoomPort;
  /** Exact counters and microsecond histograms of the state stream (`GET /metrics/latency`). */
  readonly stream: StreamStats;
  private readonly spectators: RoomSpectators;

  constructor(private readonly options: RoomHostOptions) {
    this.metrics = createRoomMetrics(options.registry);
    const lateness = cachedChild<{ observe(value: number): void }>(this.metrics.tickLateness);
    const rtt = cachedChild<{ observe(value: number): void }>(this.metrics.stateRtt);
    this.stream = new StreamStats(options.node);
    this.spectators = new RoomSpectators({ ...options, stream: this.stream });
    this.scheduler = new TickScheduler({
      onLateness: (ms, rate) => lateness(String(rate)).observe(ms / 1000),
      onSkip: (ticks, rate) => this.metrics.ticksSkipped.inc({ tick_rate: String(rate) }, ticks),
      onMemberLateness: (ms) => this.stream.roomTicked(ms),
      onError: (error) => options.log.error({ err: error }, "room tick failed"),
    });
    this.port = this.createPort((game, seconds) => rtt(game).observe(seconds));
  }

  /** A running room hosted here. */
  get(game: string, matchId: string): Room | undefined {
    const room = this.rooms.get(matchId);
    return room && room.game.name === game ? room : undefined;
  }

  /** A running room, or one that ended a moment ago (its last acks still count). */
  getForAck(matchId: string): Room | undefined {
    return this.rooms.get(matchId) ?? this.retired.get(matchId);
  }

  /** The matches hosted here. */
  *hosted(): Generator<MatchRef> {
    for (const [matchId, room] of this.rooms) yield { game: room.game.name, matchId };
  }

  /** Starts hosting a match whose players are both ready. */
  async host(match: MatchRecord): Promise<void> {
    const game = this.options.games.get(match.game);
    if (!game) throw new Error(`no game ${match.game}`);
    const seats = await this.seatsOf(match);
    const room = this.add(new Room(match.matchId, game, seats, randomInt(0, 2 ** 31), this.port, { ...this.roomOptions(), ...matchOptions(match) }));
    this.options.log.info(
      { game: game.name, matchId: match.matchId, players: seats.map((s) => s.playerId), nodes: seats.map((s) => s.node), seed: room.seed },
      "match started",
    );
    room.start();
    this.options.onStarted?.(room);
  }

  /**
   * Resumes a match whose host (`from`) died, from its latest snapshot: players still connected to
   * other nodes keep their seats there; those who were on the dead host have the grace period to
   * come back. Every player is sent `match:resumed` naming this node; the room ticks again once both
   * are connected. Throws when the snapshot cannot be read (the caller ends the match instead).
   */
  async restore(match: MatchRecord, snapshotText: string, from: string, inputs: readonly string[] = [], truncated = false): Promise<Room> {
    const game = this.options.games.get(match.game);
    if (!game) throw new Error(`no game ${match.game}`);
    const snapshot = JSON.parse(snapshotText) as RoomSnapshot;
    if ((snapshot.v !== 1 && snapshot.v !== 2) || !Number.isInteger(snapshot.tick) || !Array.isArray(snapshot.lastSeq))
      throw new Error("unreadable match snapshot");
    const log = snapshot.v === 1 ? (snapshot.inputs ?? []) : inputs.map((text) => JSON.parse(text) as ReplayInput);
    const seats = await this.seatsOf(match, from);
    seats.forEach((seat, i) => (seat.lastSeq = snapshot.lastSeq[i] ?? -1));
    const room = this.add(
      new Room(match.matchId, game, seats, snapshot.seed, this.port, {
        ...this.roomOptions(),
        ...matchOptions(match),
        restore: { tick: snapshot.tick, state: snapshot.state, inputs: log, truncated },
      }),
    );
    this.options.log.info(
      { game: game.name, matchId: match.matchId, from, tick: snapshot.tick, players: seats.map((s) => s.playerId), connected: seats.map((s) => s.connected) },
      "match adopted from a host that died; resuming from its snapshot",
    );
    for (const seat of seats) this.port.sendStart(room, seat, room.startPayload(seat), true);
    // Spectators on live nodes keep watching from here; those on the dead host went with it.
    const watching = (snapshot.spectators ?? []).filter(([, node]) => node !== from);
    if (watching.length) this.spectators.restore(room, watching);
    return room;
  }

  /**
   * Another node adopted this match (this node's lease lapsed while it stalled), or it ended
   * elsewhere: this node stops hosting it without ending it.
   */
  relinquish(matchId: string): void {
    const room = this.rooms.get(matchId);
    if (!room) return;
    this.retire(room);
    this.options.log.warn(
      { game: room.game.name, matchId, tick: room.tick },
      "match no longer hosted here: another node adopted it after this node's lease lapsed",
    );
  }

  /** A player (connected to `node`) starts watching a room hosted here: the match as it stands. */
  spectate(room: Room, playerId: PlayerId, node: string): SpectateAnswer {
    return this.spectators.spectate(room, playerId, node);
  }

  unspectate(room: Room, playerId: PlayerId): void {
    this.spectators.unspectate(room, playerId);
  }

  /** The ends told to their players since the last call (the lease's renewal confirms them). */
  takeDelivered(): MatchRef[] {
    const taken = this.delivered;
    this.delivered = [];
    return taken;
  }

  /** The store kept these snapshots (`snapshots`): their rooms need not send those inputs again. */
  snapshotsSaved(entries: readonly MatchSnapshotEntry[]): void {
    for (const entry of entries) this.rooms.get(entry.matchId)?.snapshotSaved((entry.from ?? 0) + (entry.inputs?.length ?? 0));
  }

  /** The snapshots of the rooms hosted here, per game. */
  snapshots(): Map<string, MatchSnapshotEntry[]> {
    const byGame = new Map<string, MatchSnapshotEntry[]>();
    for (const room of this.rooms.values()) {
      let list = byGame.get(room.game.name);
      if (!list) byGame.set(room.game.name, (list = []));
      list.push(entryOf(room));
    }
    return byGame;
  }

  /**
   * The match's seats, each where its player is connected now. When resuming from `deadHost`, a
   * player whose session was there (or who has none) is disconnected until they come back.
   */
  private async seatsOf(match: MatchRecord, deadHost?: string): Promise<[SeatState, SeatState]> {
    const { channel, node } = this.options;
    const now = Date.now();
    return (await Promise.all(
      match.players.map(async (p, index): Promise<SeatState> => {
        // The record names each player's node as it was read; a player here is certainly here.
        const stamp = match.stamps?.[index];
        const at = channel.isHere(match.game, p.playerId) ? node : (stamp?.node ?? (await this.options.sessions.sessionNode(match.game, p.playerId)));
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
          inputs: [],
          lastSeq: -1,
          lastAckTick: 0,
          lastAckAt: now,
          lagging: false,
          rttMs: 0,
          ...(stamp ? { firstSeq: stamp.seq } : {}),
        };
      }),
    )) as [SeatState, SeatState];
  }

  private roomOptions(): RoomOptions {
    return {
      graceMs: this.options.graceMs,
      lagMs: this.options.lagMs,
      maxQueuedInputs: 32,
      ackEvery: this.options.stateAckEvery,
      stats: this.stream,
      maxReplayInputs: this.options.maxReplayInputs,
    };
  }

  /** Hosts a new room: ticked on the shared scheduler, its local players in the match's group. */
  private add(room: Room): Room {
    const game = room.game;
    this.stream.counters.roomsStarted++;
    this.rooms.set(room.matchId, room);
    this.metrics.running.inc({ game: game.name });
    const group = this.options.channel.matchGroup(game.name, room.matchId);
    this.groups.set(room.matchId, group);
    for (const seat of room.seats) if (seat.connected && seat.node === this.options.node) group.add(seat.playerId);
    this.scheduler.add(room, game.tickRate);
    return room;
  }

  /** Stops hosting a room: off the scheduler, its group closed; its last acks still count a moment. */
  private retire(room: Room): void {
    this.scheduler.remove(room);
    this.groups.get(room.matchId)?.close();
    this.groups.delete(room.matchId);
    this.rooms.delete(room.matchId);
    this.retired.set(room.matchId, room);
    setTimeout(() => this.retired.delete(room.matchId), RETIRE_MS).unref();
    const game = room.game.name;
    this.metrics.running.dec({ game });
    for (const seat of room.seats) if (seat.lagging) this.metrics.lagging.dec({ game });
  }

  /** A player of a hosted match (re)connected on `node`; when that is this node, they join the match's group. */
  reconnected(room: Room, playerId: PlayerId, node: string): void {
    if (node === this.options.node) this.groups.get(room.matchId)?.add(playerId);
    room.reconnected(playerId, node);
  }

  /** The state stream's counters and histograms, read at the next cycle boundary of `tickRate`'s lane. */
  streamSnapshot(tickRate?: number): Promise<StreamSnapshot> {
    if (tickRate === undefined) return Promise.resolve(this.stream.snapshot());
    return new Promise((resolve) =>
      this.scheduler.atCycleBoundary(tickRate, (boundary) => resolve(this.stream.snapshot(Number.isNaN(boundary) ? {} : { [tickRate]: boundary }))),
    );
  }

  private createPort(observeRtt: (game: string, seconds: number) => void): RoomPort {
    const { channel, node } = this.options;
    return {
      broadcastState: (room, payload) => {
        // Local seats: one send to the match's group (on uWebSockets.js, one encode and one native
        // publish). Remote seats: one relay message per node, which hands it to its players there.
        let reached = 0;
        let local = false;
        let remote: Map<string, PlayerId[]> | undefined;
        for (const seat of room.seats) {
          if (!seat.connected) continue;
          reached++;
          if (seat.node === node) local = true;
          else {
            remote ??= new Map();
            const players = remote.get(seat.node);
            if (players) players.push(seat.playerId);
            else remote.set(seat.node, [seat.playerId]);
          }
        }
        if (local) this.groups.get(room.matchId)?.send("state", payload);
        if (remote) for (const [to, players] of remote) this.relayState(to, room, players, payload);
        return reached;
      },
      sendState: (room, seat, payload) => {
        if (seat.node === node) return channel.toPlayerHere(room.game.name, seat.playerId, "state", payload);
        this.relayState(seat.node, room, [seat.playerId], payload);
        return true;
      },
      sendStart: (room, seat, payload, resumed) => {
        // The first start (or resumption after an adoption) has its place in the player's sequence;
        // a resumption on reconnecting answers that connection only.
        const to = { node: nodeOf(seat), seq: seat.firstSeq };
        delete seat.firstSeq;
        if (resumed) channel.toPlayer(room.game.name, seat.playerId, "match:resumed", { ...payload, host: { node, ...this.options.self } }, to);
        else channel.toPlayer(room.game.name, seat.playerId, "match:start", payload, to);
      },
      finish: (room, reason, winner) => {
        const done = this.finish(room, reason, winner).finally(() => this.finishing.delete(done));
        this.finishing.add(done);
      },
      sendSpectators: (room, event, payload) => this.spectators.send(room, event, payload),
      onRtt: (room, rttMs) => observeRtt(room.game.name, rttMs / 1000),
      onLagChange: (room, seat, lagging) => {
        this.metrics.lagging[lagging ? "inc" : "dec"]({ game: room.game.name });
        this.options.log.info(
          { game: room.game.name, matchId: room.matchId, playerId: seat.playerId, lagging },
          lagging ? "player lagging" : "player caught up",
        );
      },
    };
  }

  private relayState(node: string, room: Room, players: PlayerId[], payload: StatePayload): void {
    this.options.relay.send(node, {
      t: "state",
      from: this.options.node,
      game: room.game.name,
      matchId: room.matchId,
      players,
      tick: payload.tick,
      state: payload.state,
    });
  }

  private async finish(room: Room, reason: EndReason, winner: Seat | null): Promise<void> {
    this.retire(room);
    const game = room.game.name;
    this.metrics.ended.observe({ game, reason }, (Date.now() - room.startedAt) / 1000);
    // A casual match never changes ratings, nor a forfeit in its first seconds (a player who leaves
    // at once, as a farming partner would, gives nothing away).
    const early = reason === "forfeit" && Date.now() - room.startedAt < EARLY_FORFEIT_MS;
    const rated = room.rated && !early;
    const ratings = this.options.results.ratingsAfter(room.seats, reason, winner, rated);
    const payload = endPayload(room, reason, winner, Object.fromEntries(Object.entries(ratings).map(([id, r]) => [id, r.rating])));
    // Stamped before the store frees the players: any later pairing of theirs comes after this instant.
    const closedAt = Date.now();
    // Until this node confirms it told the players (its next lease renewal), the store keeps the end
    // in its set: if it dies first, the node that takes its matches tells them.
    const { outcome, stamps } = await this.options.results.record(game, {
      matchId: room.matchId,
      mode: room.mode,
      claim: { host: this.options.node, epoch: room.hostEpoch },
      ratings: reason === "aborted" || !rated ? null : ratings,
      end: payload,
      archive: archiveOf(room, payload, closedAt, this.options.replayTtlMs, rated),
    });
    // Another node adopted the match while this one stalled: it plays on there, and ends there.
    if (outcome === "refused") return;
    this.options.log.info(
      {
        game,
        matchId: room.matchId,
        reason,
        winner: winner === null ? null : room.seats[winner].playerId,
        ratings: payload.ratings,
        ticks: room.tick,
        closedAt,
      },
      "match ended",
    );
    for (const seat of room.seats)
      this.options.channel.toPlayer(game, seat.playerId, "match:end", payload, { node: nodeOf(seat), seq: stamps?.[seat.seat].seq });
    this.spectators.end(room, payload);
    this.delivered.push({ game, matchId: room.matchId });
  }

  /** Waits up to `drainMs` for running matches to finish, then aborts the rest and waits for their ends. */
  async drain(drainMs: number): Promise<void> {
    const deadline = Date.now() + drainMs;
    if (this.rooms.size) this.options.log.info({ matches: this.rooms.size, drainMs }, "draining: waiting for running matches");
    while (this.rooms.size && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    for (const room of [...this.rooms.values()]) room.abort();
    await Promise.all([...this.finishing]);
  }

  stop(): void {
    this.scheduler.stop();
  }
}
