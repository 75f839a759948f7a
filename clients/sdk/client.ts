import { io, type Socket } from "socket.io-client";
import type {
  Ack,
  AckData,
  Announcement,
  AnsweredEventName,
  Challenge,
  ChallengeRef,
  ChatMessage,
  ClientPayload,
  ClientToServerEvents,
  HostInfo,
  LobbyMessage,
  LobbyPage,
  MatchCancelled,
  MatchEnd,
  MatchFound,
  MatchStart,
  RematchOffered,
  ServerToClientEvents,
  SpectateAnswer,
  StatePayload,
  StatsAnswer,
} from "../../protocol/index.ts";
import { ErrorCode } from "../../protocol/index.ts";
import { ArenaClientError } from "./errors.ts";
import { measureLatencies, type RegionLatencies } from "./latency.ts";

/** Latencies measured before queueing are measured again after this long. */
const LATENCY_MAX_AGE_MS = 60_000;

export type ConnectionStatus = "connecting" | "connected" | "reconnecting" | "disconnected" | "replaced";

/**
 * The types of a game as a client plays it: its input and its state view. A game's folder gives
 * them (`GameTypes<typeof myGame>`); without them, both are unknown.
 */
export interface PlayTypes {
  input: unknown;
  view: unknown;
}

/** Everything the application can listen to; `G` types the game's states and inputs. */
export interface ArenaClientEvents<G extends PlayTypes = PlayTypes> {
  status: (status: ConnectionStatus, detail?: string) => void;
  found: (found: MatchFound) => void;
  cancelled: (cancelled: MatchCancelled) => void;
  start: (start: MatchStart<G["view"]>) => void;
  resumed: (resumed: MatchStart<G["view"]>) => void;
  state: (state: StatePayload<G["view"]>) => void;
  end: (end: MatchEnd) => void;
  chat: (message: ChatMessage) => void;
  announcement: (announcement: Announcement) => void;
  rtt: (ms: number) => void;
  /** The round trips to the regions, measured before queueing. */
  latencies: (latencies: RegionLatencies) => void;
  /** The client moved to its match's host (`match:found.host.url`): a new connection there took over the session. */
  moved: (url: string) => void;
  /** A line of the game's lobby chat. */
  lobbyChat: (message: LobbyMessage) => void;
  /** A direct message to this player. */
  dm: (message: LobbyMessage) => void;
  /** Someone challenges this player: answer with `answerChallenge` before `expiresAt`. */
  challenge: (challenge: Challenge) => void;
  /** A challenge this player sent was declined, or expired unanswered. */
  challengeDeclined: (ref: ChallengeRef) => void;
  challengeExpired: (ref: ChallengeRef) => void;
  /** The opponent of a match that just ended asks for a rematch (`rematch(matchId)` to accept). */
  rematchOffered: (offer: RematchOffered) => void;
}

export interface ConnectOptions {
  url: string;
  /** The game's name (its namespace). */
  game: string;
  token: string;
  /** Send `match:ready` by itself on `match:found` (default false). */
  autoReady?: boolean;
  /** Reconnect with backoff after a lost connection (default true). */
  reconnect?: boolean;
  /** Milliseconds to wait for an ack (default 10 s). */
  ackTimeoutMs?: number;
  /** Move to the match's host when `match:found` names another node's URL (default true). */
  followHost?: boolean;
}

type Listener = (...args: never[]) => void;

/**
 * A typed Arena client over socket.io-client, for Node and browsers: requests return promises
 * (rejecting with ArenaClientError and the protocol's code), `state` is acknowledged by itself, and
 * a lost connection is retried with backoff, the seat resumed by the server (`resumed`).
 */
export class ArenaClient<G extends PlayTypes = PlayTypes> {
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
  /**
   * Input sequence numbers start from the clock, so that a new client for the same player (a page
   * reload mid-match) keeps counting up: the server ignores numbers it has already seen.
   */
  private seq = Date.now() * 1000;
  private readonly listeners = new Map<keyof ArenaClientEvents<G>, Set<Listener>>();
  private readonly ackTimeoutMs: number;
  /** Set while moving to a match's host. */
  private moving: Promise<void> | undefined;

  constructor(private readonly options: ConnectOptions) {
    this.ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
    this.url = options.url;
    this.socket = this.open(options.url);
    this.bind(this.socket);
  }

  private open(url: string): Socket<ServerToClientEvents, ClientToServerEvents> {
    return io(new URL(`/${this.options.game}`, url).toString(), {
      auth: { token: this.options.token },
      transports: ["websocket"],
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
        if (!moving.active) reject(new ArenaClientError("DISCONNECTED", `could not move to ${url}: ${error.message}`));
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

  private emitLocal<E extends keyof ArenaClientEvents<G>>(event: E, ...args: Parameters<ArenaClientEvents<G>[E]>): void {
    for (const listener of this.listeners.get(event) ?? []) (listener as (...a: unknown[]) => void)(...args);
  }

  private setStatus(status: ConnectionStatus, detail?: string): void {
    this.status = status;
    this.emitLocal("status", status, detail);
  }

  private bind(s: Socket<ServerToClientEvents, ClientToServerEvents>): void {
    // Only the live connection speaks for the client (an old one, left behind by a move, is ignored).
    const live = () => s === this.socket;
    s.on("connect", () => live() && this.setStatus("connected"));
    s.on("disconnect", (reason) => {
      if (!live() || this.status === "replaced") return;
      this.setStatus(s.active ? "reconnecting" : "disconnected", reason);
    });
    s.on("connect_error", (error) => {
      if (!live()) return;
      if (!s.active) return this.setStatus("disconnected", error.message);
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
      this.lastState = { matchId: start.matchId, tick: start.tick, state: start.state };
      this.emitLocal(event, start);
      // The match goes on on another node (its host died and that node adopted it): move there.
      const host = event === "resumed" ? this.hostElsewhere(payload) : undefined;
      if (host && !this.moving) this.moveTo(host).catch(() => undefined);
    };
    s.on("match:start", started("start"));
    s.on("match:resumed", started("resumed"));
    s.on("state", (received) => {
      if (!live()) return;
      const payload = received as StatePayload<G["view"]>;
      // Acknowledged with `state:ack` every `ackEvery` ticks (an ack covers every state before it);
      // a watched match's states are not.
      if (payload.matchId !== this.matchId) return this.emitLocal("state", payload);
      if (payload.tick % this.ackEvery === 0) s.emit("state:ack", { matchId: payload.matchId, tick: payload.tick });
      this.lastState = payload;
      this.emitLocal("state", payload);
    });
    s.on("match:end", (end) => {
      if (!live()) return;
      if (this.matchId === end.matchId) this.matchId = undefined;
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
        if (this.socket.active) return;
        this.socket.off("connect", ok);
        reject(new ArenaClientError((error.data?.code as "UNAUTHORIZED") ?? "DISCONNECTED", error.message));
      };
      this.socket.once("connect", ok);
      this.socket.on("connect_error", fail);
    });
  }

  /** Sends an event and waits for its ack: resolves with the ack's data, typed by the event's name. */
  private async request<E extends AnsweredEventName>(event: E, payload: ClientPayload<E>): Promise<AckData<E>> {
    if (this.moving) await this.moving;
    const started = Date.now();
    let answer: Ack<AckData<E>>;
    try {
      const timed = this.socket.timeout(this.ackTimeoutMs) as unknown as { emitWithAck(event: E, payload: ClientPayload<E>): Promise<Ack<AckData<E>>> };
      answer = await timed.emitWithAck(event, payload);
    } catch {
      throw new ArenaClientError(this.socket.connected ? "TIMEOUT" : "DISCONNECTED", `no answer to ${event}`);
    }
    this.rttMs = Date.now() - started;
    this.emitLocal("rtt", this.rttMs);
    if (!answer.ok) throw ArenaClientError.from(answer.error);
    const { ok: _ok, ...data } = answer;
    return data as AckData<E>;
  }

  /** The round trips to the deployment's regions measured before the last `queue()` (ms). */
  latencies: RegionLatencies = {};
  private latenciesAt = -Infinity;

  /**
   * Joins the game's queue; resolves with the ticket id. The latencies to the regions go with it:
   * measured first (`GET /v1/regions`, then each region's `GET /v1/ping`; again after a minute),
   * or as given, or none with `latencies: false` (the server then counts this player as near the
   * region of the node it is connected to).
   */
  async queue(options: { mode?: string; latencies?: RegionLatencies | false } = {}): Promise<string> {
    let latencies = options.latencies;
    if (latencies === undefined) {
      if (performance.now() - this.latenciesAt > LATENCY_MAX_AGE_MS) {
        this.latencies = await measureLatencies(this.options.url);
        this.latenciesAt = performance.now();
        this.emitLocal("latencies", this.latencies);
      }
      latencies = this.latencies;
    }
    const payload = { ...(options.mode ? { mode: options.mode } : {}), ...(latencies && Object.keys(latencies).length ? { latencies } : {}) };
    return (await this.request("queue:join", payload)).ticketId;
  }

  /** Leaves the queue (or the ready check); resolves whether something was cancelled. */
  async leave(): Promise<boolean> {
    return (await this.request("queue:leave", {})).cancelled;
  }

  async ready(matchId = this.matchId): Promise<void> {
    if (!matchId) throw new ArenaClientError(ErrorCode.NOT_IN_MATCH, "no match to be ready for");
    await this.request("match:ready", { matchId });
  }

  /** Sends a game input with the next sequence number; resolves with the tick that applied it. */
  async input(input: G["input"]): Promise<number> {
    if (!this.matchId) throw new ArenaClientError(ErrorCode.NOT_IN_MATCH, "not in a match");
    return (await this.request("game:input", { matchId: this.matchId, seq: ++this.seq, input })).tick;
  }

  /**
   * Sends a game input without asking for an answer (fire and forget): for inputs at a high rate.
   * It applies like `input`; the next states show it. Returns false when not in a match.
   */
  sendInput(input: G["input"]): boolean {
    if (!this.matchId) return false;
    this.socket.emit("game:input", { matchId: this.matchId, seq: ++this.seq, input });
    return true;
  }

  /** Forfeits the running match. */
  async forfeit(): Promise<void> {
    if (!this.matchId) throw new ArenaClientError(ErrorCode.NOT_IN_MATCH, "not in a match");
    await this.request("match:leave", { matchId: this.matchId });
  }

  async chat(text: string): Promise<void> {
    if (!this.matchId) throw new ArenaClientError(ErrorCode.NOT_IN_MATCH, "not in a match");
    await this.request("chat:send", { matchId: this.matchId, text });
  }

  async stats(): Promise<StatsAnswer> {
    return this.request("stats", {});
  }

  /** One page of who is online in this game (pass the previous page's `next` for the following one). */
  async lobby(options: { cursor?: string; limit?: number } = {}): Promise<LobbyPage> {
    return this.request("lobby:list", options);
  }

  /** A line to everyone online in this game. */
  async lobbyChat(text: string): Promise<void> {
    await this.request("lobby:chat", { text });
  }

  /** A direct message to one online player. */
  async dm(to: string, text: string): Promise<void> {
    await this.request("dm:send", { to, text });
  }

  /** Challenges an online player; resolves with the challenge's id. Accepted, it brings `found` like a pairing. */
  async challenge(to: string, options: { mode?: string } = {}): Promise<string> {
    return (await this.request("challenge:send", options.mode ? { to, mode: options.mode } : { to })).challengeId;
  }

  async answerChallenge(challengeId: string, accept: boolean): Promise<void> {
    await this.request("challenge:answer", { challengeId, accept });
  }

  /** A private match code for one friend (valid 10 minutes). */
  async createPrivate(options: { mode?: string } = {}): Promise<string> {
    return (await this.request("private:create", options.mode ? { mode: options.mode } : {})).code;
  }

  /** Joins a friend's private code: both get `found`. */
  async joinPrivate(code: string): Promise<void> {
    await this.request("private:join", { code });
  }

  /**
   * Watches a running match (on any node): resolves with the match as it stands; its states then
   * come as `state` events (not acknowledged), and its end as `end`.
   */
  async spectate(matchId: string): Promise<SpectateAnswer> {
    return this.request("match:spectate", { matchId });
  }

  async unspectate(matchId: string): Promise<void> {
    await this.request("match:unspectate", { matchId });
  }

  /** Asks for a rematch of a match that ended within 30 s; resolves whether it waits for the opponent. */
  async rematch(matchId: string): Promise<boolean> {
    return (await this.request("match:rematch", { matchId })).waiting;
  }

  close(): void {
    this.socket.close();
    this.setStatus("disconnected", "closed by the application");
  }
}

/** Connects to a game; wait on `client.connected()` for the handshake's outcome. */
export function connect<G extends PlayTypes = PlayTypes>(options: ConnectOptions): ArenaClient<G> {
  return new ArenaClient<G>(options);
}
