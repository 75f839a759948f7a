/**
 * The transport's floor: a bare uWebSockets.js server doing Arena's exchange (protocol v2) with no
 * Socket.IO and no game. It speaks just enough of the same frames (Engine.IO open, namespace
 * connect, events, acks) that the bench's own load generator plays against it unchanged: players
 * queue, pair in twos, ready, and get one state per match per tick, published once to both sockets;
 * `state:ack` is cumulative; inputs are answered at the next tick when they ask for an answer.
 * States are the size of Arena's pong state. It is measured the way Arena is: the same tick
 * scheduler, the same `StreamStats`, the same `GET /metrics/latency`.
 *   tsx bench/baselines/raw-uws.ts <port> [tickRate] [ackEvery]
 */
import type { WebSocket } from "uWebSockets.js";
import type { Tickable } from "../../game-rooms/index.ts";
import { nativeUws } from "../../server/transport/uws-native.ts";
import { eventName, numberAfter, splitPacket, SIO_CONNECT, SIO_EVENT } from "../wire/frames.ts";
import { baselineStats, Paddles, serveBaseline, StreamLedger } from "./accounting.ts";

const [portArg = "9100", tickRateArg = "30", ackEveryArg = "1"] = process.argv.slice(2);
const TICK_RATE = Number(tickRateArg);
const ACK_EVERY = Number(ackEveryArg);

interface Player {
  id: number;
  nsp: string;
  ws: WebSocket<unknown>;
  room?: RawRoom;
  ready: boolean;
  closed: boolean;
}

const { stats, scheduler } = baselineStats("raw-uws");
const waiting: Player[] = [];
const rooms = new Map<string, RawRoom>();
let ids = 0;

const uws = nativeUws();
const app = uws.App();
const send = (player: Player, frame: string) => void (player.closed || player.ws.send(frame, false));
const ack = (player: Player, ackId: number, answer: string) => send(player, `43/${player.nsp},${ackId}[${answer}]`);
const event = (player: Player, name: string, payload: object) => send(player, `42/${player.nsp},${JSON.stringify([name, payload])}`);

class RawRoom implements Tickable {
  readonly matchId = `m_${(ids++).toString(16).padStart(32, "0")}`;
  readonly topic = `match:${this.matchId}`;
  readonly ledger = new StreamLedger<Player>(stats, ACK_EVERY);
  readonly paddles = new Paddles();
  ended = false;

  constructor(readonly players: [Player, Player]) {}

  start(): void {
    rooms.set(this.matchId, this);
    this.players.forEach((p, seat) => {
      p.ws.subscribe(this.topic);
      event(p, "match:start", { matchId: this.matchId, seat, tickRate: TICK_RATE, ackEvery: ACK_EVERY, tick: 0, state: JSON.parse(this.view()) });
    });
    stats.counters.roomsStarted++;
    scheduler.add(this, TICK_RATE);
  }

  /** Pong-sized numbers: full doubles, as Arena's pong view sends them. */
  view(): string {
    const tick = this.ledger.tick;
    const [y0, y1] = this.paddles.y;
    return `{"ball":{"x":${Math.random()},"y":${Math.random()}},"paddles":[${y0},${y1}],"score":[${tick % 5},${tick % 3}]}`;
  }

  onTick(): void {
    this.paddles.step();
    const tick = this.ledger.sent(2);
    // One frame for the match, published once to both sockets (both use one namespace).
    app.publish(this.topic, `42/${this.players[0].nsp},["state",{"matchId":"${this.matchId}","tick":${tick},"state":${this.view()}}]`, false);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    scheduler.remove(this);
    setTimeout(() => rooms.delete(this.matchId), 2000);
    this.ledger.close();
    for (const p of this.players) {
      p.room = undefined;
      if (p.closed) continue;
      p.ws.unsubscribe(this.topic);
      event(p, "match:end", { matchId: this.matchId, reason: "forfeit", winner: null, ratings: {} });
    }
  }
}

function onEvent(player: Player, frame: string, dataAt: number, ackId: number): void {
  const name = eventName(frame, dataAt);
  switch (name) {
    case "state:ack": {
      const matchId = /"matchId":"([^"]+)"/.exec(frame)?.[1];
      const room = matchId === undefined ? undefined : rooms.get(matchId);
      if (!room || !room.players.includes(player)) return void stats.counters.stateAcksDropped++;
      return room.ledger.acknowledge(player, numberAfter(frame, '"tick":', dataAt));
    }
    case "game:input": {
      player.room?.paddles.input(player.room.players.indexOf(player), numberAfter(frame, '"dir":', dataAt));
      const answer = (tick: number | null) =>
        ack(player, ackId, tick === null ? `{"ok":false,"error":{"code":"UNKNOWN_MATCH","message":"over"}}` : `{"ok":true,"tick":${tick}}`);
      return player.room?.ledger.input(player, ackId >= 0 ? answer : undefined);
    }
    case "queue:join": {
      ack(player, ackId, `{"ok":true,"ticketId":"t${player.id}"}`);
      waiting.push(player);
      if (waiting.length < 2) return;
      const pair = waiting.splice(0, 2) as [Player, Player];
      const room = new RawRoom(pair);
      const players = pair.map((p) => ({ playerId: `p${p.id}`, name: `p${p.id}`, rating: 1200 }));
      pair.forEach((p, seat) => {
        Object.assign(p, { room, ready: false });
        event(p, "match:found", { matchId: room.matchId, game: p.nsp, seat, players, readyBy: Date.now() + 10_000 });
      });
      return;
    }
    case "match:ready":
      ack(player, ackId, `{"ok":true}`);
      player.ready = true;
      if (player.room?.players.every((p) => p.ready)) player.room.start();
      return;
    case "match:leave":
      ack(player, ackId, `{"ok":true}`);
      player.room?.end();
      return;
    default:
      if (ackId >= 0) ack(player, ackId, `{"ok":true}`);
  }
}

app.ws<{ player: Player }>("/*", {
  maxBackpressure: 16 * 1024 * 1024,
  idleTimeout: 0,
  upgrade: (res, req, context) => {
    const player: Player = { id: ids++, nsp: "pong", ws: undefined as never, ready: false, closed: false };
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
    if (packet.type === SIO_EVENT) return onEvent(player, frame, packet.dataAt, packet.ackId);
    if (packet.type === SIO_CONNECT) {
      player.nsp = frame.slice(3, frame.indexOf(","));
      send(player, `40/${player.nsp},{"sid":"n${player.id}"}`);
    }
  },
  close: (ws) => {
    const { player } = ws.getUserData();
    player.closed = true;
    player.room?.end();
    const queued = waiting.indexOf(player);
    if (queued >= 0) waiting.splice(queued, 1);
  },
});
serveBaseline(app, stats, scheduler, Number(portArg));
