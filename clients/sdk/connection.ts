import { io, type Socket } from "socket.io-client";
import type {
  Ack,
  AckData,
  AnsweredEventName,
  ClientPayload,
  ClientToServerEvents,
  HostInfo,
  MatchStart,
  ServerToClientEvents,
  StatePayload,
} from "../../protocol/index.ts";
import { ErrorCode } from "../../protocol/index.ts";
import { ServerClock } from "./clock.ts";
import { ArenaClientError, ClientErrorCode } from "./errors.ts";
import { setUpGame, type GameSetup } from "./game-setup.ts";
import { MatchNetcode, type Frame, type NetStats } from "./match-netcode.ts";
import { StateDecoder } from "./state-decoder.ts";
import { tokenExpiry } from "./token.ts";

import type { ConnectionStatus, ArenaClientEvents, ConnectOptions, PlayTypes } from "./client-types.ts";

type Listener = (...args: never[]) => void;

/**
 * A client's connection to a game: the socket (and the move to a match's host), its status, the
 * server's events turned into the client's own (`on`), and requests answered by their ack. The
 * calls a game makes are `ArenaClient`'s.
 */
export class ArenaConnection<G extends PlayTypes = PlayTypes> {
  /** The live connection (a new one after moving to a match's host). */
  socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  /** The node this client is connected to. */
  url: string;
  matchId: string | undefined;
  seat: 0 | 1 | undefined;
  tickRate = 0;
  /** The match's state acknowledgement cadence (from `match:start`). */
  ackEvery = 1;
  lastState: StatePayload<G["view"]> | undefined;
  status: ConnectionStatus = "connecting";
  rttMs: number | undefined;
  /** The server's clock, as `time:sync` measures it. */
  readonly clock: ServerClock;
  /** The game: from `GET /v1/games` and its definition (resolved before the first connection). */
  readonly setup: Promise<GameSetup>;
  /** The running match's netcode (interpolation, prediction), and the watched matches'. */
  // Typed loosely so that an `ArenaClient<SomeGame>` still is an `ArenaClient`: `frame()` types its view.
  protected netcode: MatchNetcode<any, any> | undefined;
  private readonly watched = new Map<string, MatchNetcode<any, any>>();
  private decoder: StateDecoder | undefined;
  private game: GameSetup | undefined;
  private token: string;
  private refreshing: Promise<void> | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private syncTimer: ReturnType<typeof setInterval> | undefined;
  private closed = false;
  private readonly listeners = new Map<keyof ArenaClientEvents<G>, Set<Listener>>();
  private readonly ackTimeoutMs: number;
  /** Set while moving to a match's host. */
  private moving: Promise<void> | undefined;

  constructor(protected readonly options: ConnectOptions) {
    this.ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
    this.url = options.url;
    this.token = options.token;
    this.clock = new ServerClock(options.clock);
    this.setup = setUpGame(options.url, options.game).then((game) => {
      this.game = game;
      // Compact by default when the game's definition says its wire rebuilds every view.
      const compact = (options.encoding ?? (game.rules?.netcode?.wireComplete ? "compact" : "json")) === "compact";
      if (compact && game.fields) this.decoder = new StateDecoder(game.fields, game.rules?.netcode?.fromWire);
      return game;
    });
    this.scheduleRefresh();
    this.socket = this.open(options.url);
    this.bind(this.socket);
  }

  /** The game's name, its namespace. */
  get gameName(): string {
    return typeof this.options.game === "string" ? this.options.game : this.options.game.name;
  }

  private open(url: string): Socket<ServerToClientEvents, ClientToServerEvents> {
    const longPolling = this.options.longPolling ?? true;
    return io(new URL(`/${this.gameName}`, url).toString(), {
      // Asked at every (re)connection: the current token, and the encoding once the game is known.
      auth: (send) => {
        void Promise.all([this.setup, this.refreshing]).then(() => send({ token: this.token, encoding: this.decoder ? "compact" : "json" }));
      },
      transports: longPolling ? ["websocket", "polling"] : ["websocket"],
      tryAllTransports: longPolling,
      reconnection: this.options.reconnect ?? true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
      randomizationFactor: 0.5,
    });
  }

  /**
   * Moves to another node (the match's host): a new connection there takes over the session, and
   * the server drops the old one. The old connection's events still count until the new one is up.
   */
  private moveTo(url: string): Promise<void> {
    const moving = this.open(url);
    const moved = new Promise<void>((resolve, reject) => {
      moving.once("connect", () => {
        this.socket = moving;
        this.url = url;
        this.emitLocal("moved", url);
        resolve();
      });
      moving.once("connect_error", (error) => {
        if (!moving.active) reject(new ArenaClientError(ClientErrorCode.DISCONNECTED, `could not move to ${url}: ${error.message}`));
      });
      this.bind(moving);
    });
    // Requests made meanwhile (an application that readies by itself) wait for the new connection.
    this.moving = moved.catch(() => undefined).finally(() => (this.moving = undefined));
    return moved;
  }

  /** The host's URL when it is another node than this client's (and following hosts is on). */
  private hostElsewhere(found: { host?: HostInfo }): string | undefined {
    const url = found.host?.url;
    if (!url || this.options.followHost === false) return undefined;
    return new URL(url).origin === new URL(this.url).origin ? undefined : url;
  }

  on<E extends keyof ArenaClientEvents<G>>(event: E, listener: ArenaClientEvents<G>[E]): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener);
    return () => set.delete(listener as Listener);
  }

  protected emitLocal<E extends keyof ArenaClientEvents<G>>(event: E, ...args: Parameters<ArenaClientEvents<G>[E]>): void {
    for (const listener of this.listeners.get(event) ?? []) (listener as (...a: unknown[]) => void)(...args);
  }

  protected setStatus(status: ConnectionStatus, detail?: string): void {
    this.status = status;
    this.emitLocal("status", status, detail);
  }

  private bind(s: Socket<ServerToClientEvents, ClientToServerEvents>): void {
    // Only the live connection speaks for the client (an old one, left behind by a move, is ignored).
    const live = () => s === this.socket;
    s.on("connect", () => {
      if (!live()) return;
      this.setStatus("connected");
      this.startClockSync(s);
    });
    s.on("disconnect", (reason) => {
      if (!live() || this.status === "replaced") return;
      this.setStatus(s.active ? "reconnecting" : "disconnected", reason);
    });
    s.on("connect_error", (error: Error & { data?: { code?: string } }) => {
      if (!live()) return;
      // A refused token is refreshed once, and the connection tried again with the new one.
      if (error.data?.code === ErrorCode.UNAUTHORIZED && this.options.refreshToken && !this.refreshing && !this.closed) {
        void this.refresh().then(() => s.connect());
        return;
      }
      if (!s.active && !this.refreshing) return this.setStatus("disconnected", error.message);
      // The host this client moved to is gone (it died; another node adopts its match): back to
      // the address the application gave, which tells where the match goes on (`match:resumed`).
      if (this.url !== this.options.url && !this.moving) {
        s.close();
        this.moveTo(this.options.url).catch(() => undefined);
      }
    });
    s.on("session:replaced", () => live() && this.setStatus("replaced", "a newer connection of this player took over"));
    s.on("match:found", (found) => {
      if (!live()) return;
      this.matchId = found.matchId;
      this.seat = found.seat;
      // The move starts before the application hears of the match: its requests wait for it.
      const host = this.hostElsewhere(found);
      const moved = host ? this.moveTo(host) : Promise.resolve();
      this.emitLocal("found", found);
      if (this.options.autoReady) void moved.then(() => this.ready(found.matchId)).catch(() => undefined);
    });
    s.on("match:cancelled", (cancelled) => {
      if (!live()) return;
      if (this.matchId === cancelled.matchId) this.matchId = undefined;
      this.emitLocal("cancelled", cancelled);
    });
    // The server sends each game's own state (protocol/games): typed here by the game's name.
    const started = (event: "start" | "resumed") => (payload: MatchStart) => {
      if (!live()) return;
      const start = payload as MatchStart<G["view"]>;
      this.matchId = start.matchId;
      this.seat = start.seat;
      this.tickRate = start.tickRate;
      this.ackEvery = Math.max(1, start.ackEvery || 1);
      this.lastState = { matchId: start.matchId, tick: start.tick, state: start.state, inputSeq: start.inputSeq };
      // Ref 0 is the playing match's on this connection: a new match replaces the last one's.
      this.decoder?.open(start.ref, start.matchId, start.state);
      this.netcode = new MatchNetcode(this.clock, this.game?.rules, this.game?.kind ?? "realtime", start, start.seat, this.options.netcode);
      this.emitLocal(event, start);
      // The match goes on on another node (its host died and that node adopted it): move there.
      const host = event === "resumed" ? this.hostElsewhere(payload) : undefined;
      if (host && !this.moving) this.moveTo(host).catch(() => undefined);
    };
    s.on("match:start", started("start"));
    s.on("match:resumed", started("resumed"));
    s.on("state", (received) => {
      if (!live()) return;
      const compact = Array.isArray(received);
      const decoded = compact ? this.decoder?.decode(received) : received;
      if (!decoded) return;
      const payload = decoded as StatePayload<G["view"]>;
      // Acknowledged with `state:ack` every `ackEvery` ticks (an ack covers every state before it);
      // a watched match's states are not.
      if (payload.matchId !== this.matchId) {
        this.watched.get(payload.matchId)?.state(payload.tick, payload.state, undefined);
        return this.emitLocal("state", payload);
      }
      if (payload.tick % this.ackEvery === 0) s.emit("state:ack", compact ? [received[0]!, payload.tick] : { matchId: payload.matchId, tick: payload.tick });
      this.lastState = payload;
      this.netcode?.state(payload.tick, payload.state, payload.inputSeq);
      this.emitLocal("state", payload);
    });
    s.on("match:end", (end) => {
      if (!live()) return;
      if (this.matchId === end.matchId) this.matchId = undefined;
      this.decoder?.close(end.matchId);
      this.watched.delete(end.matchId);
      this.emitLocal("end", end);
    });
    s.on("chat", (message) => live() && this.emitLocal("chat", message));
    s.on("lobby:chat", (message) => live() && this.emitLocal("lobbyChat", message));
    s.on("dm", (message) => live() && this.emitLocal("dm", message));
    s.on("challenge", (challenge) => live() && this.emitLocal("challenge", challenge));
    s.on("challenge:declined", (ref) => live() && this.emitLocal("challengeDeclined", ref));
    s.on("challenge:expired", (ref) => live() && this.emitLocal("challengeExpired", ref));
    s.on("rematch:offered", (offer) => live() && this.emitLocal("rematchOffered", offer));
    s.on("announcement", (announcement) => live() && this.emitLocal("announcement", announcement));
  }

  /** Resolves once connected; rejects with the handshake error (e.g. `unauthorized`). */
  connected(): Promise<void> {
    if (this.socket.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const ok = () => {
        this.socket.off("connect_error", fail);
        resolve();
      };
      const fail = (error: Error & { data?: { code?: string } }) => {
        // Still trying: reconnecting, or with a refreshed token.
        if (this.socket.active || this.refreshing) return;
        this.socket.off("connect", ok);
        reject(ArenaClientError.refused(error.data?.code, error.message));
      };
      this.socket.once("connect", ok);
      this.socket.on("connect_error", fail);
    });
  }

  /** Sends an event and waits for its ack: resolves with the ack's data, typed by the event's name. */
  protected async request<E extends AnsweredEventName>(event: E, payload: ClientPayload<E>): Promise<AckData<E>> {
    if (this.moving) await this.moving;
    const started = Date.now();
    let answer: Ack<AckData<E>>;
    try {
      const timed = this.socket.timeout(this.ackTimeoutMs) as unknown as { emitWithAck(event: E, payload: ClientPayload<E>): Promise<Ack<AckData<E>>> };
      answer = await timed.emitWithAck(event, payload);
    } catch {
      throw new ArenaClientError(this.socket.connected ? ClientErrorCode.TIMEOUT : ClientErrorCode.DISCONNECTED, `no answer to ${event}`);
    }
    this.rttMs = Date.now() - started;
    this.emitLocal("rtt", this.rttMs);
    if (!answer.ok) throw ArenaClientError.from(answer.error);
    const { ok: _ok, ...data } = answer;
    return data as AckData<E>;
  }

  async ready(matchId = this.matchId): Promise<void> {
    if (!matchId) throw new ArenaClientError(ErrorCode.NOT_IN_MATCH, "no match to be ready for");
    await this.request("match:ready", { matchId });
  }

  /**
   * What to draw now of the running match (or of a watched one, by id): remote things interpolated
   * at the server's time less the buffer delay, the seat's own part predicted. Undefined before a
   * match started. `at` (a `performance.now()` time, e.g. the requestAnimationFrame timestamp) draws
   * the match as it stands when the frame is displayed, however late its callback runs.
   */
  frame(matchId?: string, at?: number): Frame<G["view"]> | undefined {
    return (matchId === undefined || matchId === this.matchId ? this.netcode : this.watched.get(matchId))?.frame(at);
  }

  /** The netcode's numbers (round trip, clock offset, buffer delay, corrections), for an overlay or telemetry. */
  netStats(matchId?: string): NetStats | undefined {
    return (matchId === undefined || matchId === this.matchId ? this.netcode : this.watched.get(matchId))?.stats();
  }

  /** The server's clock now (epoch ms): deadlines (`readyBy`, a move clock) are on it. */
  serverNow(): number {
    return this.clock.now();
  }

  /** Starts following a watched match's states (the `match:spectate` answer). */
  protected watch(matchId: string, answer: { ref: number; tick: number; tickRate: number; state: unknown }): void {
    this.decoder?.open(answer.ref, matchId, answer.state);
    // The answer has no tickZeroAt: its tick is taken as running now.
    const tickZeroAt = this.clock.now() - (answer.tick * 1000) / answer.tickRate;
    const start = { tick: answer.tick, state: answer.state as G["view"], tickRate: answer.tickRate, tickZeroAt };
    this.watched.set(matchId, new MatchNetcode(this.clock, this.game?.rules, this.game?.kind ?? "realtime", start, undefined, this.options.netcode));
  }

  protected unwatch(matchId: string): void {
    this.watched.delete(matchId);
    if (matchId !== this.matchId) this.decoder?.close(matchId);
  }

  /** `time:sync` five times on each connection, then every five seconds: the clock keeps the lowest-RTT samples. */
  private startClockSync(s: Socket<ServerToClientEvents, ClientToServerEvents>): void {
    clearInterval(this.syncTimer);
    this.clock.reset();
    const once = async () => {
      const sentAt = this.clock.localNow();
      try {
        const answer = await s.timeout(5000).emitWithAck("time:sync", { clientTime: sentAt });
        if (answer.ok) this.clock.add(sentAt, answer.serverTime, this.clock.localNow());
      } catch {
        // no answer in time: this sample is skipped
      }
    };
    void (async () => {
      for (let i = 0; i < 5 && s.connected; i++) await once();
      if (s === this.socket && s.connected) this.emitLocal("clock", this.clock.offsetMs);
    })();
    this.syncTimer = setInterval(() => {
      if (!s.connected || s !== this.socket) return;
      void once().then(() => this.emitLocal("clock", this.clock.offsetMs));
    }, 5000);
    (this.syncTimer as { unref?: () => void }).unref?.();
  }

  /** Asks the application for a new token; the next (re)connection uses it. */
  private refresh(): Promise<void> {
    const refreshToken = this.options.refreshToken;
    if (!refreshToken) return Promise.resolve();
    const run = async () => {
      try {
        this.token = await refreshToken();
      } catch {
        // the application could not: the old token stays, and the server says whether it still works
      }
    };
    this.refreshing ??= run().finally(() => {
      this.refreshing = undefined;
      this.scheduleRefresh();
    });
    return this.refreshing;
  }

  /** A refresh a minute before the token expires (or halfway, for a short-lived one). */
  private scheduleRefresh(): void {
    clearTimeout(this.refreshTimer);
    const expiry = tokenExpiry(this.token);
    if (!this.options.refreshToken || expiry === undefined || this.closed) return;
    const left = expiry - this.clock.now();
    this.refreshTimer = setTimeout(() => void this.refresh(), Math.max(1000, Math.min(left - 60_000, left / 2)));
    (this.refreshTimer as { unref?: () => void }).unref?.();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.refreshTimer);
    clearInterval(this.syncTimer);
    this.socket.close();
    this.setStatus("disconnected", "closed by the application");
  }
}
