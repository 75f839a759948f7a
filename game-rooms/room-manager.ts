import { randomInt, randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { Namespace, Socket } from "socket.io";
import {
  ArenaError,
  ErrorCode,
  isErrorCode,
  type ClientToServerEvents,
  type EndReason,
  type InterServerEvents,
  type PlayerId,
  type Seat,
  type ServerToClientEvents,
  type SocketData,
  type StateAckPayload,
  type StatePayload,
} from "../protocol/index.ts";
import { eloUpdate, type MatchmakingStore, type MatchPointer, type MatchRecord } from "../matchmaker/index.ts";
import type { GameRegistry } from "./game-registry.ts";
import { cachedChild, createRoomMetrics, type RoomMetrics } from "./metrics.ts";
import type { NodeRelay, RelayMessage } from "./relay.ts";
import { endPayload, Room, type RoomPort, type SeatState } from "./room.ts";
import { StreamStats, type StreamSnapshot } from "./stream-stats.ts";
import { TickScheduler } from "./tick-scheduler.ts";
import { LocalRoomEmitter, toPlayer } from "./broadcast.ts";

const RETIRE_MS = 2000;

/** The Socket.IO room of a match's players on their node. */
export const matchRoom = (matchId: string) => `match:${matchId}`;

type GameNamespace = Namespace<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
type GameSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export interface RoomManagerOptions {
  node: string;
  games: GameRegistry;
  namespaces: Map<string, GameNamespace>;
  store: MatchmakingStore;
  relay: NodeRelay;
  log: Logger;
  registry: Registry;
  eloK: number;
  graceMs: number;
  lagMs: number;
  leaseMs: number;
  requestTimeoutMs: number;
  /** Clients acknowledge every state whose tick is a multiple of this (real-time games). */
  stateAckEvery: number;
  /** The personal room of a player in a namespace. */
  playerRoom: (playerId: PlayerId) => string;
}

/** What a node knows of a match hosted elsewhere. */
interface KnownMatch {
  game: string;
  host: string;
  players: PlayerId[];
  at: number;
}

interface Pending {
  matchId: string;
  resolve: (tick: number) => void;
  reject: (error: ArenaError) => void;
  at: number;
}

/**
 * Hosts rooms on this node and routes players to rooms hosted anywhere. Local players are served
 * directly; remote ones through the relay (inputs, state and acks, one hop each way) and the Redis
 * adapter (start, resume, end, chat). Hosts renew a lease per match; any node ends the matches of
 * a host whose lease lapsed.
 */
export class RoomManager {
  private readonly rooms = new Map<string, Room>();
  /** Ended rooms, kept a moment so that acks of their last states still count. */
  private readonly retired = new Map<string, Room>();
  private readonly known = new Map<string, KnownMatch>();
  private readonly socketCache = new Map<string, GameSocket>();
  /** Per hosted match, the emitter of its room on this node. */
  private readonly emitters = new Map<string, LocalRoomEmitter>();
  private readonly pending = new Map<string, Pending>();
  private readonly finishing = new Set<Promise<void>>();
  /** Ends the store has not recorded yet (it was unreachable): retried, and their leases kept alive. */
  private readonly unrecorded = new Map<string, { game: string; ratings: Record<PlayerId, number> | null }>();
  private readonly scheduler: TickScheduler;
  private readonly metrics: RoomMetrics;
  private readonly port: RoomPort;
  private readonly observeRtt: (game: string, seconds: number) => void;
  /** Exact counters and microsecond histograms of the state stream (`GET /metrics/latency`). */
  readonly stream: StreamStats;
  private timers: NodeJS.Timeout[] = [];

  constructor(private readonly options: RoomManagerOptions) {
    this.metrics = createRoomMetrics(options.registry);
    const lateness = cachedChild<{ observe(value: number): void }>(this.metrics.tickLateness);
    const rtt = cachedChild<{ observe(value: number): void }>(this.metrics.stateRtt);
    this.observeRtt = (game, seconds) => rtt(game).observe(seconds);
    this.stream = new StreamStats(options.node);
    this.scheduler = new TickScheduler({
      onLateness: (ms, rate) => lateness(String(rate)).observe(ms / 1000),
      onSkip: (ticks, rate) => this.metrics.ticksSkipped.inc({ tick_rate: String(rate) }, ticks),
      onMemberLateness: (ms) => this.stream.roomTicked(ms),
      onError: (error) => options.log.error({ err: error }, "room tick failed"),
    });
    this.port = this.createPort();
    options.relay.onMessage((message) => this.onRelay(message));
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
    every(Math.max(100, Math.floor(this.options.leaseMs / 3)), () => this.renewLeases());
    every(Math.max(200, Math.floor(this.options.leaseMs / 3)), () => this.reapLapsedHosts());
    every(250, () => this.expirePending());
  }

  // ---- hosting --------------------------------------------------------------------------

  /** Starts hosting a match whose players are both ready. */
  async host(match: MatchRecord): Promise<void> {
    const game = this.options.games.get(match.game);
    if (!game) throw new Error(`no game ${match.game}`);
    const seats = (await Promise.all(
      match.players.map(async (p, index): Promise<SeatState> => {
        const local = this.localSocket(match.game, p.playerId);
        const node = local ? this.options.node : ((await this.options.store.sessionNode(match.game, p.playerId)) ?? this.options.node);
        return {
          seat: index as Seat,
          playerId: p.playerId,
          name: p.name,
          rating: p.rating,
          node,
          connected: true,
          disconnectedAt: 0,
          inputs: [],
          lastSeq: -1,
          lastAckTick: 0,
          lastAckAt: Date.now(),
          lagging: false,
          rttMs: 0,
        };
      }),
    )) as [SeatState, SeatState];
    const room = new Room(match.matchId, game, seats, randomInt(0, 2 ** 31), this.port, {
      graceMs: this.options.graceMs,
      lagMs: this.options.lagMs,
      maxQueuedInputs: 32,
      ackEvery: this.options.stateAckEvery,
      stats: this.stream,
    });
    this.stream.counters.roomsStarted++;
    this.rooms.set(match.matchId, room);
    this.metrics.running.inc({ game: game.name });
    this.options.log.info(
      { game: game.name, matchId: match.matchId, players: seats.map((s) => s.playerId), nodes: seats.map((s) => s.node), seed: room.seed },
      "match started",
    );
    for (const seat of seats) if (seat.node === this.options.node) this.joinMatchRoom(game.name, seat.playerId, match.matchId);
    room.start();
    this.scheduler.add(room, game.tickRate);
  }

  /** The player's socket on this node joins the match's room, where its states are broadcast. */
  private joinMatchRoom(game: string, playerId: PlayerId, matchId: string): void {
    void this.localSocket(game, playerId)?.join(matchRoom(matchId));
  }

  /** The state stream's counters and histograms, read at the next cycle boundary of `tickRate`'s lane. */
  streamSnapshot(tickRate?: number): Promise<StreamSnapshot> {
    if (tickRate === undefined) return Promise.resolve(this.stream.snapshot());
    return new Promise((resolve) =>
      this.scheduler.atCycleBoundary(tickRate, (boundary) => resolve(this.stream.snapshot(Number.isNaN(boundary) ? {} : { [tickRate]: boundary }))),
    );
  }

  private createPort(): RoomPort {
    return {
      broadcastState: (room, payload) => {
        // Local seats: one emit to the match's room (on uWebSockets.js, one encode and one native
        // publish). Remote seats: one relay message per node, which emits to its players there.
        let reached = 0;
        let local = false;
        let remote: Map<string, PlayerId[]> | undefined;
        for (const seat of room.seats) {
          if (!seat.connected) continue;
          reached++;
          if (seat.node === this.options.node) local = true;
          else {
            remote ??= new Map();
            const players = remote.get(seat.node);
            if (players) players.push(seat.playerId);
            else remote.set(seat.node, [seat.playerId]);
          }
        }
        if (local) this.emitterOf(room).emit("state", payload);
        if (remote) for (const [node, players] of remote) this.relayState(node, room, players, payload);
        return reached;
      },
      sendState: (room, seat, payload) => {
        if (seat.node !== this.options.node) {
          this.relayState(seat.node, room, [seat.playerId], payload);
          return true;
        }
        const socket = this.localSocket(room.game.name, seat.playerId);
        socket?.emit("state", payload);
        return socket !== undefined;
      },
      sendStart: (room, seat, payload, resumed) => this.toPlayer(room.game.name, seat.playerId, resumed ? "match:resumed" : "match:start", payload),
      finish: (room, reason, winner) => {
        const done = this.finish(room, reason, winner).finally(() => this.finishing.delete(done));
        this.finishing.add(done);
      },
      onRtt: (room, rttMs) => this.observeRtt(room.game.name, rttMs / 1000),
      onLagChange: (room, seat, lagging) => {
        this.metrics.lagging[lagging ? "inc" : "dec"]({ game: room.game.name });
        this.options.log.info(
          { game: room.game.name, matchId: room.matchId, playerId: seat.playerId, lagging },
          lagging ? "player lagging" : "player caught up",
        );
      },
    };
  }

  private emitterOf(room: Room): LocalRoomEmitter {
    let emitter = this.emitters.get(room.matchId);
    if (!emitter) this.emitters.set(room.matchId, (emitter = new LocalRoomEmitter(this.options.namespaces.get(room.game.name)!, matchRoom(room.matchId))));
    return emitter;
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
    this.scheduler.remove(room);
    this.emitters.delete(room.matchId);
    void this.options.namespaces.get(room.game.name)?.local.in(matchRoom(room.matchId)).socketsLeave(matchRoom(room.matchId));
    for (const seat of room.seats) this.socketCache.delete(`${room.game.name}|${seat.playerId}`);
    this.rooms.delete(room.matchId);
    this.retired.set(room.matchId, room);
    setTimeout(() => this.retired.delete(room.matchId), RETIRE_MS).unref();
    const game = room.game.name;
    this.metrics.running.dec({ game });
    for (const seat of room.seats) if (seat.lagging) this.metrics.lagging.dec({ game });
    this.metrics.ended.observe({ game, reason }, (Date.now() - room.startedAt) / 1000);
    const [a, b] = room.seats;
    let ratings: [number, number] = [a.rating, b.rating];
    if (reason !== "aborted") {
      const score = winner === null ? 0.5 : winner === 0 ? 1 : 0;
      ratings = eloUpdate(a.rating, b.rating, score, this.options.eloK);
    }
    const byPlayer = Object.fromEntries(room.seats.map((s, i) => [s.playerId, ratings[i]!]));
    // Stamped before the store frees the players: any later pairing of theirs comes after this instant.
    const closedAt = Date.now();
    try {
      await this.record(game, room.matchId, reason === "aborted" ? null : byPlayer);
    } catch (error) {
      this.unrecorded.set(room.matchId, { game, ratings: reason === "aborted" ? null : byPlayer });
      this.options.log.error({ err: error, game, matchId: room.matchId }, "could not record the end of a match yet; retrying");
    }
    this.options.log.info(
      { game, matchId: room.matchId, reason, winner: winner === null ? null : room.seats[winner].playerId, ratings: byPlayer, ticks: room.tick, closedAt },
      "match ended",
    );
    const payload = endPayload(room, reason, winner, byPlayer);
    for (const seat of room.seats) this.toPlayer(game, seat.playerId, "match:end", payload);
  }

  // ---- player events (any node) ----------------------------------------------------------

  /** `game:input`: applied by the host at its next tick; resolves with that tick. */
  async input(game: string, playerId: PlayerId, matchId: string, seq: number, input: unknown): Promise<number> {
    const parsed = this.readInput(game, input);
    const room = this.rooms.get(matchId);
    if (room && room.game.name === game) return room.enqueueInput(playerId, seq, parsed);
    const known = await this.locate(game, matchId, playerId);
    return this.request(known.host, { op: "input", game, matchId, playerId, seq, input: parsed });
  }

  /**
   * `game:input` without an answer (fire and forget): on the host, queued with no promise at all;
   * a refusal is thrown here when it is known at once, otherwise only counted by the room.
   */
  inputNoAnswer(game: string, playerId: PlayerId, matchId: string, seq: number, input: unknown): void {
    const parsed = this.readInput(game, input);
    const room = this.rooms.get(matchId);
    if (room && room.game.name === game) return room.queueInput(playerId, seq, parsed);
    void this.input(game, playerId, matchId, seq, parsed).catch(() => undefined);
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
    const room = this.rooms.get(matchId);
    if (room && room.game.name === game) return room.forfeit(playerId);
    const known = await this.locate(game, matchId, playerId);
    await this.request(known.host, { op: "leave", game, matchId, playerId });
  }

  /** `chat:send`: relayed to both players of the match (membership checked here, then `allow`, the chat budget). */
  async chat(game: string, playerId: PlayerId, name: string, matchId: string, text: string, allow: () => boolean): Promise<void> {
    const room = this.rooms.get(matchId);
    const players = room && room.game.name === game ? room.seats.map((s) => s.playerId) : (await this.locate(game, matchId, playerId)).players;
    if (!players.includes(playerId)) throw new ArenaError(ErrorCode.NOT_IN_MATCH, "you are not playing this match");
    if (!allow()) throw new ArenaError(ErrorCode.RATE_LIMITED, "chat: at most 5 lines at once, then 1 per second");
    const message = { matchId, from: playerId, name, text, at: Date.now() };
    for (const p of players) this.toPlayer(game, p, "chat", message);
  }

  /** A player's connection opened on this node while in a running match: resume it. */
  playerConnected(game: string, playerId: PlayerId, match: MatchPointer | null): void {
    if (!match || match.state !== "playing" || !match.host) return;
    const room = this.rooms.get(match.matchId);
    if (room) {
      this.joinMatchRoom(game, playerId, match.matchId);
      room.reconnected(playerId, this.options.node);
    } else this.options.relay.send(match.host, { t: "attach", matchId: match.matchId, playerId, node: this.options.node });
  }

  /**
   * `state:ack`: the host's room takes it; a node that relays the match's states for this player
   * passes it on to the host. Anything else (a malformed one is undefined) is dropped and counted:
   * it is never answered.
   */
  stateAck(game: string, playerId: PlayerId, ack: StateAckPayload | undefined): void {
    if (!ack) {
      this.stream.counters.stateAcksDropped++;
      return;
    }
    const { matchId, tick } = ack;
    const room = this.rooms.get(matchId) ?? this.retired.get(matchId);
    if (room && room.game.name === game) {
      room.acknowledge(playerId, tick);
      return;
    }
    const known = this.known.get(matchId);
    if (known && known.game === game && known.players.includes(playerId) && known.host !== this.options.node) {
      this.options.relay.send(known.host, { t: "ack", matchId, playerId, tick });
      return;
    }
    this.stream.counters.stateAcksDropped++;
  }

  /** A player's connection closed (and no newer one took over) while in a running match. */
  async playerDisconnected(game: string, playerId: PlayerId, matchId: string): Promise<void> {
    const room = this.rooms.get(matchId);
    if (room) return room.disconnected(playerId);
    const known = await this.locate(game, matchId, playerId).catch(() => undefined);
    if (known) this.options.relay.send(known.host, { t: "detach", matchId, playerId });
  }

  // ---- routing ---------------------------------------------------------------------------

  private async locate(game: string, matchId: string, playerId: PlayerId): Promise<KnownMatch> {
    let known = this.known.get(matchId);
    if (!known) {
      const match = await this.options.store.getMatch(game, matchId);
      if (!match || match.state !== "playing" || !match.host) throw new ArenaError(ErrorCode.UNKNOWN_MATCH, "no running match with that id");
      known = { game, host: match.host, players: match.players.map((p) => p.playerId), at: Date.now() };
      if (known.host !== this.options.node) this.known.set(matchId, known);
    }
    if (known.game !== game) throw new ArenaError(ErrorCode.UNKNOWN_MATCH, "no running match with that id");
    if (!known.players.includes(playerId)) throw new ArenaError(ErrorCode.NOT_IN_MATCH, "you are not playing this match");
    if (known.host === this.options.node) throw new ArenaError(ErrorCode.UNKNOWN_MATCH, "the match is over");
    return known;
  }

  private request(
    host: string,
    body: { op: "input" | "leave"; game: string; matchId: string; playerId: string; seq?: number; input?: unknown },
  ): Promise<number> {
    const id = randomUUID();
    return new Promise<number>((resolve, reject) => {
      this.pending.set(id, { matchId: body.matchId, resolve, reject, at: Date.now() });
      this.options.relay.send(host, { t: "req", id, from: this.options.node, ...body });
    });
  }

  private expirePending(): void {
    const cutoff = Date.now() - this.options.requestTimeoutMs;
    for (const [id, pending] of this.pending) {
      if (pending.at >= cutoff) continue;
      this.pending.delete(id);
      pending.reject(new ArenaError(ErrorCode.UNAVAILABLE, "the match's host did not answer; try again"));
    }
    const stale = Date.now() - 10 * 60_000;
    for (const [id, known] of this.known) if (known.at < stale) this.known.delete(id);
  }

  private onRelay(message: RelayMessage): void {
    switch (message.t) {
      case "req":
        return void this.answer(message);
      case "res": {
        const pending = this.pending.get(message.id);
        if (!pending) return;
        this.pending.delete(message.id);
        if (message.ok) return pending.resolve(message.tick);
        if (message.code === ErrorCode.UNKNOWN_MATCH) this.known.delete(pending.matchId);
        return pending.reject(new ArenaError(isErrorCode(message.code) ? message.code : ErrorCode.INTERNAL, message.message));
      }
      case "state": {
        // This node serves these players of a match hosted elsewhere: their acks go back there.
        if (!this.known.has(message.matchId))
          this.known.set(message.matchId, { game: message.game, host: message.from, players: message.players, at: Date.now() });
        const nsp = this.options.namespaces.get(message.game);
        nsp?.local.to(message.players.map(this.options.playerRoom)).emit("state", { matchId: message.matchId, tick: message.tick, state: message.state });
        return;
      }
      case "ack":
        return void (this.rooms.get(message.matchId) ?? this.retired.get(message.matchId))?.acknowledge(message.playerId, message.tick);
      case "attach":
        return this.rooms.get(message.matchId)?.reconnected(message.playerId, message.node);
      case "detach":
        return this.rooms.get(message.matchId)?.disconnected(message.playerId);
    }
  }

  private async answer(req: Extract<RelayMessage, { t: "req" }>): Promise<void> {
    const room = this.rooms.get(req.matchId);
    try {
      if (!room || room.game.name !== req.game) throw new ArenaError(ErrorCode.UNKNOWN_MATCH, "the match is over");
      let tick = room.tick;
      if (req.op === "input") tick = await room.enqueueInput(req.playerId, req.seq ?? -1, req.input);
      else room.forfeit(req.playerId);
      this.options.relay.send(req.from, { t: "res", id: req.id, ok: true, tick });
    } catch (error) {
      const coded = error instanceof ArenaError ? error : new ArenaError(ErrorCode.INTERNAL, "internal error");
      this.options.relay.send(req.from, { t: "res", id: req.id, ok: false, code: coded.code, message: coded.message });
    }
  }

  /** The player's connection on this node, if any: cached, since every tick asks for it. */
  private localSocket(game: string, playerId: PlayerId): GameSocket | undefined {
    const key = `${game}|${playerId}`;
    const cached = this.socketCache.get(key);
    if (cached?.connected) return cached;
    const found = this.findLocalSocket(game, playerId);
    if (found) this.socketCache.set(key, found);
    else this.socketCache.delete(key);
    return found;
  }

  private findLocalSocket(game: string, playerId: PlayerId): GameSocket | undefined {
    const nsp = this.options.namespaces.get(game);
    const sids = nsp?.adapter.rooms.get(this.options.playerRoom(playerId));
    if (!nsp || !sids) return undefined;
    for (const sid of sids) {
      const socket = nsp.sockets.get(sid);
      if (socket?.connected) return socket;
    }
    return undefined;
  }

  /** Sends a non-acknowledged event to a player: directly when local, through the adapter otherwise. */
  private toPlayer<E extends "match:start" | "match:resumed" | "match:end" | "chat">(
    game: string,
    playerId: PlayerId,
    event: E,
    payload: Parameters<ServerToClientEvents[E]>[0],
  ): void {
    const socket = this.localSocket(game, playerId);
    const nsp = this.options.namespaces.get(game);
    const remote = nsp && toPlayer(nsp, this.options.playerRoom(playerId));
    const target = (socket ?? remote) as { emit(event: string, payload: unknown): unknown } | undefined;
    target?.emit(event, payload);
  }

  // ---- leases and draining ---------------------------------------------------------------

  private async record(game: string, matchId: string, ratings: Record<PlayerId, number> | null): Promise<void> {
    if (ratings) await this.options.store.setRatings(game, ratings);
    await this.options.store.endMatch(game, matchId);
  }

  private async renewLeases(): Promise<void> {
    for (const [matchId, end] of this.unrecorded) {
      await this.record(end.game, matchId, end.ratings);
      this.unrecorded.delete(matchId);
      this.options.log.info({ game: end.game, matchId }, "end of match recorded after a retry");
    }
    const ours = [...this.rooms.keys(), ...this.unrecorded.keys()];
    if (ours.length) await this.options.store.renewLeases(ours, Date.now() + this.options.leaseMs);
  }

  private async reapLapsedHosts(): Promise<void> {
    for (const { game, matchId } of await this.options.store.claimExpiredLeases(Date.now(), 50)) {
      const room = this.rooms.get(matchId);
      if (room || this.unrecorded.has(matchId)) {
        // Our own lease lapsed (we could not reach the store): the match is still ours to finish.
        await this.options.store.renewLeases([matchId], Date.now() + this.options.leaseMs);
        continue;
      }
      let match: MatchRecord | null;
      try {
        match = await this.options.store.getMatch(game, matchId);
        if (match) await this.options.store.endMatch(game, matchId);
      } catch (error) {
        // The claim took the lease: put it back, lapsed, so that this node or another tries again.
        await this.options.store.renewLeases([matchId], Date.now()).catch(() => undefined);
        throw error;
      }
      if (!match) continue;
      const ratings = Object.fromEntries(match.players.map((p) => [p.playerId, p.rating]));
      this.options.log.warn({ game, matchId, host: match.host }, "match aborted: its host stopped renewing the lease");
      for (const p of match.players) {
        this.toPlayer(game, p.playerId, "match:end", { matchId, reason: "aborted", winner: null, ratings });
        this.socketCache.delete(`${game}|${p.playerId}`);
      }
    }
  }

  /** Stops hosting: waits up to `drainMs` for running matches to finish, then aborts the rest. */
  async drain(drainMs: number): Promise<void> {
    const deadline = Date.now() + drainMs;
    if (this.rooms.size) this.options.log.info({ matches: this.rooms.size, drainMs }, "draining: waiting for running matches");
    while (this.rooms.size && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    for (const room of [...this.rooms.values()]) room.abort();
    await Promise.all([...this.finishing]);
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    this.scheduler.stop();
    for (const [id, pending] of this.pending) {
      pending.reject(new ArenaError(ErrorCode.UNAVAILABLE, "node stopping"));
      this.pending.delete(id);
    }
    await this.options.relay.close();
  }
}
