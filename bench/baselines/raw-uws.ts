/**
 * The transport's floor: a bare uWebSockets.js server doing Arena's exchange with no Socket.IO and
 * no game. It speaks just enough of the same frames (Engine.IO open, namespace connect, acks) that
 * the bench's own load generator plays against it unchanged: players queue, pair in twos, ready,
 * and get one state per tick per socket with an ack id; inputs are answered at the next tick with
 * the tick that took them. States are the size of Arena's pong state. It is measured the way Arena
 * is: the same tick scheduler, the same `StreamStats`, the same `GET /metrics/latency`.
 *   tsx bench/baselines/raw-uws.ts <port> [tickRate]
 */
import { performance } from "node:perf_hooks";
import type { WebSocket } from "uWebSockets.js";
import { StreamStats, TickScheduler, type Tickable } from "../../game-rooms/index.ts";
import { loadUws } from "../../server/uws-native.ts";
import { eventName, splitPacket, SIO_ACK, SIO_CONNECT, SIO_EVENT } from "../wire/frames.ts";

const [portArg = "9100", tickRateArg = "30"] = process.argv.slice(2);
const TICK_RATE = Number(tickRateArg);
const ACK_RING = 256;

interface Player {
  id: number;
  nsp: string;
  ws: WebSocket<unknown>;
  room?: RawRoom;
  seat: number;
  ready: boolean;
  nextAck: number;
  sentAt: Float64Array;
  sentId: Int32Array;
}

const stats = new StreamStats("raw-uws");
const scheduler = new TickScheduler({
  onMemberLateness: (ms) => stats.roomTicked(ms),
  onLanePass: (rate, deadline) => stats.laneTicked(rate, deadline),
});
const waiting: Player[] = [];
let ids = 0;

const send = (player: Player, frame: string) => void player.ws.send(frame, false);
const ack = (player: Player, ackId: number, answer: string) => send(player, `43/${player.nsp},${ackId}[${answer}]`);
const event = (player: Player, name: string, payload: object) => send(player, `42/${player.nsp},${JSON.stringify([name, payload])}`);

class RawRoom implements Tickable {
  tick = 0;
  readonly matchId = `m_${(ids++).toString(16).padStart(32, "0")}`;
  readonly inputAcks: [Player, number][] = [];
  ended = false;

  constructor(readonly players: [Player, Player]) {}

  start(): void {
    const state = this.view();
    for (const p of this.players) event(p, "match:start", { matchId: this.matchId, seat: p.seat, tickRate: TICK_RATE, tick: 0, state: JSON.parse(state) });
    stats.counters.roomsStarted++;
    scheduler.add(this, TICK_RATE);
  }

  /** Pong-sized numbers: full doubles, as Arena's pong view sends them. */
  view(): string {
    return `{"ball":{"x":${Math.random()},"y":${Math.random()}},"paddles":[${Math.random()},${Math.random()}],"score":[${this.tick % 5},${this.tick % 3}]}`;
  }

  onTick(): void {
    this.tick++;
    const json = `{"matchId":"${this.matchId}","tick":${this.tick},"state":${this.view()}}]`;
    const now = performance.now();
    for (const p of this.players) {
      const id = p.nextAck++;
      p.sentAt[id % ACK_RING] = now;
      p.sentId[id % ACK_RING] = id;
      send(p, `42/${p.nsp},${id}["state",${json}`);
      stats.counters.statesSent++;
    }
    for (const [p, id] of this.inputAcks.splice(0)) ack(p, id, `{"ok":true,"tick":${this.tick}}`);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    scheduler.remove(this);
    for (const [p, id] of this.inputAcks.splice(0)) ack(p, id, `{"ok":false,"error":{"code":"UNKNOWN_MATCH","message":"over"}}`);
    for (const p of this.players) {
      p.room = undefined;
      event(p, "match:end", { matchId: this.matchId, reason: "forfeit", winner: null, ratings: {} });
    }
  }
}

function onEvent(player: Player, frame: string, dataAt: number, ackId: number): void {
  const name = eventName(frame, dataAt);
  switch (name) {
    case "queue:join": {
      ack(player, ackId, `{"ok":true,"ticketId":"t${player.id}"}`);
      waiting.push(player);
      if (waiting.length < 2) return;
      const pair = waiting.splice(0, 2) as [Player, Player];
      const room = new RawRoom(pair);
      const players = pair.map((p) => ({ playerId: `p${p.id}`, name: `p${p.id}`, rating: 1200 }));
      pair.forEach((p, seat) => {
        Object.assign(p, { room, seat, ready: false });
        event(p, "match:found", { matchId: room.matchId, game: p.nsp, seat, players, readyBy: Date.now() + 10_000 });
      });
      return;
    }
    case "match:ready":
      ack(player, ackId, `{"ok":true}`);
      player.ready = true;
      if (player.room?.players.every((p) => p.ready)) player.room.start();
      return;
    case "game:input":
      stats.counters.inputs++;
      if (player.room && ackId >= 0) player.room.inputAcks.push([player, ackId]);
      return;
    case "match:leave":
      ack(player, ackId, `{"ok":true}`);
      player.room?.end();
      return;
    default:
      if (ackId >= 0) ack(player, ackId, `{"ok":true}`);
  }
}

/** A client's ack of a state: `43/nsp,<id>[{"tick":N}]`. */
function onAck(player: Player, ackId: number): void {
  stats.counters.stateAcks++;
  const slot = ackId % ACK_RING;
  if (player.sentId[slot] === ackId) stats.rtt(performance.now() - player.sentAt[slot]!);
}

const { uws } = loadUws();
const app = uws.App();
app.ws<{ player: Player }>("/*", {
  maxBackpressure: 16 * 1024 * 1024,
  idleTimeout: 0,
  upgrade: (res, req, context) => {
    const player: Player = { id: ids++, nsp: "pong", ws: undefined as never, seat: 0, ready: false, nextAck: 0, sentAt: new Float64Array(ACK_RING), sentId: new Int32Array(ACK_RING).fill(-1) };
    res.upgrade({ player }, req.getHeader("sec-websocket-key"), req.getHeader("sec-websocket-protocol"), req.getHeader("sec-websocket-extensions"), context);
  },
  open: (ws) => {
    const { player } = ws.getUserData();
    player.ws = ws;
    ws.send(`0{"sid":"s${player.id}","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`, false);
  },
  message: (ws, data) => {
    const { player } = ws.getUserData();
    const frame = Buffer.from(data).toString();
    const packet = splitPacket(frame);
    if (!packet) return;
    if (packet.type === SIO_ACK) return onAck(player, packet.ackId);
    if (packet.type === SIO_EVENT) return onEvent(player, frame, packet.dataAt, packet.ackId);
    if (packet.type === SIO_CONNECT) {
      player.nsp = frame.slice(3, frame.indexOf(","));
      send(player, `40/${player.nsp},{"sid":"n${player.id}"}`);
    }
  },
  close: (ws) => {
    const { player } = ws.getUserData();
    player.room?.end();
    const queued = waiting.indexOf(player);
    if (queued >= 0) waiting.splice(queued, 1);
  },
});
app.post("/v1/guest", (res) => {
  let aborted = false;
  res.onAborted(() => (aborted = true));
  res.onData((_chunk, isLast) => {
    if (!isLast || aborted) return;
    const id = ids++;
    res.cork(() => res.writeHeader("content-type", "application/json").end(JSON.stringify({ playerId: `p${id}`, name: `p${id}`, token: `t${id}` })));
  });
});
app.get("/metrics/latency", (res) => {
  res.cork(() => res.writeHeader("content-type", "application/json").end(JSON.stringify(stats.snapshot())));
});
app.listen("127.0.0.1", Number(portArg), (token) => {
  if (!token) process.exit(1);
  process.stdout.write(`${JSON.stringify({ type: "listening", port: Number(portArg) })}\n`);
});
