import { randomInt } from "node:crypto";
import type { MatchGroup } from "../matchmaker/index.ts";
import { type EndReason, type PlayerId, type ReplayInput, type Seat } from "../protocol/index.ts";
import type { MatchRecord, MatchRef, MatchSnapshotEntry } from "../matchmaker/index.ts";
import { cachedChild, createRoomMetrics, type RoomMetrics } from "./metrics.ts";
import { archiveOf } from "./match-archive.ts";
import { RoomSpectators } from "./room-spectators.ts";
import { createRoomPort } from "./room-port.ts";
import { entryOf, matchOptions, seatsOf, type RoomHostOptions } from "./room-setup.ts";

import { Room } from "./room.ts";
import { endPayload, type RoomOptions, type RoomPort, type RoomSnapshot, type SeatState, type SpectateStart } from "./room-types.ts";
import { StreamStats, type StreamSnapshot } from "./stream-stats.ts";
import { TickScheduler } from "./tick-scheduler.ts";

/** Where a seat's player is, when the room knows it (a disconnected player may come back anywhere). */
const nodeOf = (seat: SeatState) => (seat.connected ? seat.node : undefined);

/** A forfeit this soon after the start changes no rating. */
export const EARLY_FORFEIT_MS = 10_000;

/** How long an ended room stays known, so that acks of its last states still count. */
const RETIRE_MS = 2000;

/**
 * The rooms this node hosts: starts them, ticks them on the shared scheduler, sends their states
 * (to local players through the channel, to players on other nodes through the relay), and ends
 * them. Who may act on a room is decided before it gets here.
 */
export class RoomHost {
  private readonly rooms = new Map<string, Room>();
  private readonly retired = new Map<string, Room>();
  /** Rooms taken off this node for another to adopt (a drain): still in its host set until adopted. */
  private readonly moving = new Map<string, Room>();
  /** Per hosted match, its players on this node. */
  private readonly groups = new Map<string, MatchGroup>();
  private readonly finishing = new Set<Promise<void>>();
  /** Ends told to their players since the lease's last renewal. */
  private delivered: MatchRef[] = [];
  private readonly scheduler: TickScheduler;
  private readonly metrics: RoomMetrics;
  private readonly port: RoomPort<Room>;
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
    this.port = createRoomPort({
      ...options,
      groups: this.groups,
      spectators: this.spectators,
      lagging: this.metrics.lagging,
      observeRtt: (game, seconds) => rtt(game).observe(seconds),
      finish: (room, reason, winner) => {
        const done = this.finish(room, reason, winner).finally(() => this.finishing.delete(done));
        this.finishing.add(done);
      },
    });
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

  /** The matches hosted here, and those on their way to another node. */
  *hosted(): Generator<MatchRef> {
    for (const [matchId, room] of this.rooms) yield { game: room.game.name, matchId };
    for (const [matchId, room] of this.moving) yield { game: room.game.name, matchId };
  }

  /** Stops every running room without ending it, for other nodes to adopt (a drain), with its final snapshot; it stays in `hosted` until `moved`. */
  handOff(): { room: Room; entry: MatchSnapshotEntry }[] {
    return [...this.rooms.values()].map((room) => {
      this.retire(room);
      this.moving.set(room.matchId, room);
      return { room, entry: entryOf(room) };
    });
  }

  /** Whether this node handed the match off and no node has adopted it yet. */
  isMoving(matchId: string): boolean {
    return this.moving.has(matchId);
  }

  /** A room handed off is now hosted elsewhere (or was never adopted: it is left to the lapsed-host path). */
  moved(matchId: string): void {
    this.moving.delete(matchId);
  }

  /** Starts hosting a match whose players are both ready. */
  async host(match: MatchRecord): Promise<void> {
    const game = this.options.games.get(match.game);
    if (!game) throw new Error(`no game ${match.game}`);
    const seats = await seatsOf(match, this.options);
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
  async restore(match: MatchRecord, snapshotText: string, from: string, inputs: readonly string[] = [], truncated = false, handedOver = false): Promise<Room> {
    const game = this.options.games.get(match.game);
    if (!game) throw new Error(`no game ${match.game}`);
    const snapshot = JSON.parse(snapshotText) as RoomSnapshot;
    if ((snapshot.v !== 1 && snapshot.v !== 2) || !Number.isInteger(snapshot.tick) || !Array.isArray(snapshot.lastSeq))
      throw new Error("unreadable match snapshot");
    const log = snapshot.v === 1 ? (snapshot.inputs ?? []) : inputs.map((text) => JSON.parse(text) as ReplayInput);
    const seats = await seatsOf(match, this.options, from);
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
      handedOver ? "match adopted from a draining host; resuming from its last snapshot" : "match adopted from a host that died; resuming from its snapshot",
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
  spectate(room: Room, playerId: PlayerId, node: string): SpectateStart {
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
    for (const entry of entries) this.rooms.get(entry.matchId)?.replay.savedUpTo((entry.from ?? 0) + (entry.inputs?.length ?? 0));
  }

  /** The rooms running here. */
  running(): IterableIterator<Room> {
    return this.rooms.values();
  }

  private roomOptions(): RoomOptions {
    const { graceMs, lagMs, stateAckEvery: ackEvery, maxReplayInputs } = this.options;
    return { graceMs, lagMs, maxQueuedInputs: 32, ackEvery, stats: this.stream, maxReplayInputs };
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
