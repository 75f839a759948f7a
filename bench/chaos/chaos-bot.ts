import { io, type Socket } from "socket.io-client";
import tictactoe, { type TictactoeView } from "../../game-rooms/games/tictactoe/index.ts";

type Payload = { matchId: string; seat?: 0 | 1; tick?: number; state?: unknown; requeued?: boolean };

/**
 * A chaos player: plays tictactoe, queues again after each match, and when its connection drops
 * (its node was killed) comes back on another live node. It keeps what it saw, per connection.
 */
export class ChaosBot {
  /** Problems seen from this client: news of a match while still in another, an end told twice on one connection. */
  readonly problems: string[] = [];
  matchesEnded = 0;
  /** The last things that happened to this client (connections and match events), for a report. */
  readonly history: string[] = [];
  private socket: Socket | undefined;
  private stopped = false;
  private closed = false;
  private current: string | undefined;
  private started = new Map<string, number>();
  /** Matches whose end this connection was told. */
  private ended = new Set<string>();
  private seq = 0;
  private seat: 0 | 1 = 0;

  constructor(
    readonly id: string,
    private readonly token: string,
    private readonly liveUrls: () => string[],
  ) {}

  start(): void {
    this.connect();
  }

  /** Stops queueing and readying; running matches play on. */
  wind(): void {
    this.stopped = true;
  }

  close(): void {
    this.stopped = true;
    this.closed = true;
    this.socket?.close();
  }

  /** True while the client believes it is in a match (news told, end not yet). */
  inMatch(): boolean {
    return this.current !== undefined;
  }

  /** Matches started on the live connection whose end never came. */
  unended(): string[] {
    return [...this.started.keys()].filter((id) => !this.ended.has(id));
  }

  private connect(): void {
    const urls = this.liveUrls();
    const url = urls[Math.floor(Math.random() * urls.length)];
    // A player whose node died comes back, also once told to stop queueing.
    if (!url || this.closed) return;
    const note = (what: string) => {
      this.history.push(`${new Date().toISOString().slice(17, 23)} ${what}`);
      if (this.history.length > 24) this.history.shift();
    };
    note(`connect ${url.split(":").pop()}`);
    const socket = io(`${url}/tictactoe`, { auth: { token: this.token }, transports: ["websocket"], reconnection: false, forceNew: true, timeout: 5000 });
    this.socket = socket;
    // What this connection was told: a fresh connection knows nothing of the last one's matches.
    this.current = undefined;
    this.started = new Map();
    this.ended = new Set();
    const emit = (event: string, payload: unknown) => socket.timeout(5000).emit(event, payload, () => undefined);
    socket.on("connect", () => {
      if (!this.stopped) emit("queue:join", {});
    });
    socket.on("connect_error", () => setTimeout(() => this.connect(), 300 + Math.random() * 300));
    for (const event of ["match:found", "match:start", "match:resumed", "match:end", "match:cancelled"]) {
      socket.on(event, (p: Payload) => note(`${event} ${p.matchId.slice(0, 8)}`));
    }
    socket.on("disconnect", (reason) => {
      note(`disconnect ${reason}`);
      // What this connection was in is no longer its to hear the end of.
      this.current = undefined;
      this.started = new Map();
      if (this.socket === socket) setTimeout(() => this.connect(), 200 + Math.random() * 300);
    });
    const enter = (event: string, p: Payload) => {
      if (this.current !== undefined && this.current !== p.matchId) this.problems.push(`${this.id}: ${event} ${p.matchId} while still in ${this.current}`);
      this.current = p.matchId;
    };
    socket.on("match:found", (p: Payload) => {
      enter("match:found", p);
      if (!this.stopped) emit("match:ready", { matchId: p.matchId });
    });
    const started = (p: Payload) => {
      enter("match:start", p);
      this.seat = p.seat ?? 0;
      if (!this.started.has(p.matchId)) this.started.set(p.matchId, Date.now());
    };
    socket.on("match:start", started);
    socket.on("match:resumed", started);
    socket.on("state", (p: Payload) => {
      socket.emit("state:ack", { matchId: p.matchId, tick: p.tick });
      const input = tictactoe.bot!(p.state as TictactoeView, this.seat, Math.random);
      if (input) emit("game:input", { matchId: p.matchId, seq: ++this.seq, input });
    });
    socket.on("match:end", (p: Payload) => {
      if (this.ended.has(p.matchId)) this.problems.push(`${this.id}: the end of ${p.matchId} told twice`);
      this.ended.add(p.matchId);
      this.matchesEnded++;
      if (this.current === p.matchId) this.current = undefined;
      if (!this.stopped) setTimeout(() => emit("queue:join", {}), Math.random() * 200);
    });
    socket.on("match:cancelled", (p: Payload) => {
      if (this.current === p.matchId) this.current = undefined;
      if (!p.requeued && !this.stopped) emit("queue:join", {});
    });
  }
}
