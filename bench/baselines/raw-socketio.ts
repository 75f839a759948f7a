/**
 * The yardstick for Arena's own layer: a bare Socket.IO server on uWebSockets.js (`io.attachApp`)
 * with no game logic, no auth, no store, doing the identical exchange (protocol v2): players queue
 * and pair in twos, ready, and get one broadcast per match per tick to the match's room; `state:ack`
 * is cumulative; inputs are answered at the next tick when they ask for an answer. Measured the way
 * Arena is: the same tick scheduler, the same `StreamStats`, the same `GET /metrics/latency`.
 *   tsx bench/baselines/raw-socketio.ts <port> [tickRate] [ackEvery]
 */
import { Server, type Socket } from "socket.io";
import type { Tickable } from "../../game-rooms/index.ts";
import { nativeUws } from "../../server/transport/uws-native.ts";
import { baselineStats, Paddles, serveBaseline, StreamLedger } from "./accounting.ts";

const [portArg = "9101", tickRateArg = "30", ackEveryArg = "1"] = process.argv.slice(2);
const TICK_RATE = Number(tickRateArg);
const ACK_EVERY = Number(ackEveryArg);

type Answer = (answer: object) => void;

const { stats, scheduler } = baselineStats("raw-socketio");
const uws = nativeUws();
const app = uws.App();
const io = new Server({ transports: ["websocket"], serveClient: false, maxHttpBufferSize: 8192 });
io.attachApp(app);
const nsp = io.of("/pong");
const rooms = new Map<string, SocketRoom>();
const roomOf = new Map<Socket, SocketRoom>();
const waiting: Socket[] = [];
let ids = 0;

class SocketRoom implements Tickable {
  readonly matchId = `m_${(ids++).toString(16).padStart(32, "0")}`;
  readonly ledger = new StreamLedger<Socket>(stats, ACK_EVERY);
  readonly ready = new Set<Socket>();
  readonly paddles = new Paddles();
  ended = false;

  constructor(readonly players: [Socket, Socket]) {}

  view(): object {
    const tick = this.ledger.tick;
    return { ball: { x: Math.random(), y: Math.random() }, paddles: [...this.paddles.y], score: [tick % 5, tick % 3] };
  }

  start(): void {
    rooms.set(this.matchId, this);
    this.players.forEach((socket, seat) => {
      void socket.join(this.matchId);
      socket.emit("match:start", { matchId: this.matchId, seat, tickRate: TICK_RATE, ackEvery: ACK_EVERY, tick: 0, state: this.view() });
    });
    stats.counters.roomsStarted++;
    scheduler.add(this, TICK_RATE);
  }

  onTick(): void {
    this.paddles.step();
    const tick = this.ledger.sent(2);
    nsp.to(this.matchId).emit("state", { matchId: this.matchId, tick, state: this.view() });
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    scheduler.remove(this);
    this.ledger.close();
    setTimeout(() => rooms.delete(this.matchId), 2000);
    nsp.to(this.matchId).emit("match:end", { matchId: this.matchId, reason: "forfeit", winner: null, ratings: {} });
    nsp.in(this.matchId).socketsLeave(this.matchId);
    for (const socket of this.players) roomOf.delete(socket);
  }
}

nsp.on("connection", (socket) => {
  socket.on("queue:join", (_payload: unknown, answer: Answer) => {
    answer({ ok: true, ticketId: `t${socket.id}` });
    waiting.push(socket);
    if (waiting.length < 2) return;
    const pair = waiting.splice(0, 2) as [Socket, Socket];
    const room = new SocketRoom(pair);
    const players = pair.map((s) => ({ playerId: s.id, name: s.id, rating: 1200 }));
    pair.forEach((s, seat) => {
      roomOf.set(s, room);
      s.emit("match:found", { matchId: room.matchId, game: "pong", seat, players, readyBy: Date.now() + 10_000 });
    });
  });
  socket.on("match:ready", (_payload: unknown, answer: Answer) => {
    answer({ ok: true });
    const room = roomOf.get(socket);
    if (!room) return;
    room.ready.add(socket);
    if (room.ready.size === 2) room.start();
  });
  socket.on("state:ack", (payload: { matchId?: unknown; tick?: unknown }) => {
    const room = rooms.get(String(payload?.matchId));
    if (!room || !room.players.includes(socket)) return void stats.counters.stateAcksDropped++;
    room.ledger.acknowledge(socket, Number(payload.tick));
  });
  socket.on("game:input", (payload: { input?: { dir?: unknown } }, answer?: Answer) => {
    const room = roomOf.get(socket);
    room?.paddles.input(room.players.indexOf(socket), payload?.input?.dir);
    room?.ledger.input(
      socket,
      answer && ((tick) => answer(tick === null ? { ok: false, error: { code: "UNKNOWN_MATCH", message: "over" } } : { ok: true, tick })),
    );
  });
  socket.on("match:leave", (_payload: unknown, answer: Answer) => {
    answer({ ok: true });
    roomOf.get(socket)?.end();
  });
  socket.on("queue:leave", (_payload: unknown, answer: Answer) => answer({ ok: true, cancelled: false }));
  socket.on("disconnect", () => {
    roomOf.get(socket)?.end();
    const queued = waiting.indexOf(socket);
    if (queued >= 0) waiting.splice(queued, 1);
  });
});

serveBaseline(app, stats, scheduler, Number(portArg));
