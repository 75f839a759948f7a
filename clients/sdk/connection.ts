import { io, type Socket } from "socket.io-client";
import type { Ack, AckData, AnsweredEventName, ClientPayload, ClientToServerEvents, ServerToClientEvents } from "../../protocol/index.ts";
import type { HostInfo, MatchStart, StatePayload } from "../../protocol/index.ts";
import { ErrorCode } from "../../protocol/index.ts";
import { ServerClock } from "./clock.ts";
import { ArenaClientError, ClientErrorCode } from "./errors.ts";
import { setUpGame, type GameSetup } from "./game-setup.ts";
import { MatchFeed } from "./match-feed.ts";
import type { Frame, NetStats } from "./match-netcode.ts";
import { ClockSync } from "./clock-sync.ts";
import { TokenKeeper } from "./token.ts";

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
  /** The matches this connection plays and watches: states decoded, netcode fed. */
  protected readonly matches: MatchFeed;
  private readonly token: TokenKeeper;
  private readonly clockSync: ClockSync;
  private readonly listeners = new Map<keyof ArenaClientEvents<G>, Set<Listener>>();
  private readonly ackTimeoutMs: number;
  /** Set while moving to a match's host. */
  private moving: Promise<void> | undefined;

  constructor(protected readonly options: ConnectOptions) {
    this.ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
    this.url = options.url;
    this.token = new TokenKeeper(options.token, options.refreshToken, () => this.clock.now());
    this.clock = new ServerClock(options.clock);
    this.clockSync = new ClockSync(this.clock, (offsetMs) => this.emitLocal("clock", offsetMs));
    this.matches = new MatchFeed(this.clock, options.netcode);
    this.setup = setUpGame(options.url, options.game).then((game) => {
      // Compact by default when the game's definition says its wire rebuilds every view.
      this.matches.configure(game, (options.encoding ?? (game.rules?.netcode?.wireComplete ? "compact" : "json")) === "compact");
      return game;
    });
    this.token.schedule();
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
        void Promise.all([this.setup, this.token.refreshing]).then(() =>
          send({ token: this.token.value, encoding: this.matches.compact ? "compact" : "json" }),
        );
      },
      transports: longPolling ? ["websocket", "polling"] : ["websocket"],
      tryAllTransports: longPolling,
      forceNew: true, // a manager of its own: an old connection's settings never carry over to a new one
      reconnection: this.options.reconnect ?? true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
      randomizationFactor: 0.5,
    });
  }

  /** Moves to another node (the match's host): a new connection there takes over the session; the old one's events count until then. */
  private moveTo(url: string): Promise<void> {
    const moving = this.open(url);
    const moved = new Promise<void>((resolve, reject) => {
      moving.once("connect", () => {
        // The server drops the old connection, which must not come back (it would take the session back).
        this.socket.io.reconnection(false);
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

  /** Moves to a match's host when it is elsewhere (unless a move is under way). */
  private follow(to: { host?: HostInfo }): void {
    const host = this.hostElsewhere(to);
    if (host && !this.moving) this.moveTo(host).catch(() => undefined);
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
      this.clockSync.start(s);
    });
    s.on("disconnect", (reason) => {
      if (!live() || this.status === "replaced") return;
      this.setStatus(s.active ? "reconnecting" : "disconnected", reason);
    });
    s.on("connect_error", (error: Error & { data?: { code?: string } }) => {
      if (!live()) return;
      // A refused token is refreshed once, and the connection tried again with the new one.
      if (error.data?.code === ErrorCode.UNAUTHORIZED && this.token.canRefresh) {
        void this.token.refresh().then(() => s.connect());
        return;
      }
      if (!s.active && !this.token.refreshing) return this.setStatus("disconnected", error.message);
      // The host it moved to is gone (died or drained): back to the application's address, which says where the match is.
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
      this.matches.started(start);
      this.emitLocal(event, start);
      if (event === "resumed") this.follow(payload); // the match goes on on another node (it adopted the match)
    };
    s.on("match:start", started("start"));
    s.on("match:resumed", started("resumed"));
    // Its host drains for a deploy: the match goes on at `host`, which sends `match:resumed`.
    s.on("match:moving", (moving) => {
      if (!live()) return;
      this.emitLocal("moving", moving);
      this.follow(moving);
    });
    s.on("state", (received) => {
      if (!live()) return;
      const payload = this.matches.decode(received) as StatePayload<G["view"]> | undefined;
      if (!payload) return;
      this.matches.state(payload, this.matchId);
      // Acknowledged with `state:ack` every `ackEvery` ticks (an ack covers every state before it);
      // a watched match's states are not.
      if (payload.matchId !== this.matchId) return this.emitLocal("state", payload);
      if (payload.tick % this.ackEvery === 0)
        s.emit("state:ack", Array.isArray(received) ? [received[0] as number, payload.tick] : { matchId: payload.matchId, tick: payload.tick });
      this.lastState = payload;
      this.emitLocal("state", payload);
    });
    s.on("match:end", (end) => {
      if (!live()) return;
      if (this.matchId === end.matchId) this.matchId = undefined;
      this.matches.ended(end.matchId);
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
        if (this.socket.active || this.token.refreshing) return;
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
    return this.matches.of(matchId, this.matchId)?.frame(at);
  }

  /** The netcode's numbers (round trip, clock offset, buffer delay, corrections), for an overlay or telemetry. */
  netStats(matchId?: string): NetStats | undefined {
    return this.matches.of(matchId, this.matchId)?.stats();
  }

  /** The server's clock now (epoch ms): deadlines (`readyBy`, a move clock) are on it. */
  serverNow(): number {
    return this.clock.now();
  }

  close(): void {
    this.token.close();
    this.clockSync.stop();
    this.socket.close();
    this.setStatus("disconnected", "closed by the application");
  }
}
