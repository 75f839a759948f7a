import { performance } from "node:perf_hooks";
import { pongDirection } from "../../game-rooms/games/pong/index.ts";
import {
  connectPacket,
  eventName,
  eventPacket,
  numberAfter,
  socketUrl,
  splitPacket,
  SIO_ACK,
  SIO_CONNECT,
  SIO_CONNECT_ERROR,
  SIO_EVENT,
} from "../wire/frames.ts";
import { LiteWebSocket } from "../wire/lite-websocket.ts";
import { InputClock, type Behaviour, type BenchPlayer, type PlayerHooks, type Tally } from "./tally.ts";

type AckHandler = (frame: string, dataAt: number) => void;

const PING = "2";
const PONG = "3";
const STATE_EVENT = '["state",';

/**
 * A player that speaks Socket.IO frames directly over a bare WebSocket (`LiteWebSocket`): outgoing
 * packets are built from strings; of each incoming state only the tick and the few numbers the
 * follow-the-ball rule and the input clock need are read. Everything else (`match:*`) is rare and
 * parsed as JSON. A state's `state:ack` and an input leave in one write.
 */
export class WirePlayer implements BenchPlayer {
  /** The one game whose states this client reads by hand (the hot-path generator); any game plays with `--client sdk`. */
  static readonly decodes = "pong";
  matchId: string | undefined;
  seat = 0;
  private ws!: LiteWebSocket;
  private readonly acks = new Map<number, AckHandler>();
  private nextAck = 0;
  private seq = Date.now();
  private statesSeen = 0;
  private readonly clock: InputClock;
  private readonly prefix: string;
  private ackEvery = 1;
  private stateAckPrefix = "";

  private constructor(
    private readonly game: string,
    private readonly tally: Tally,
    private readonly behaviour: Behaviour,
    private readonly hooks: PlayerHooks,
  ) {
    this.prefix = `42/${game},`;
    this.clock = new InputClock(tally);
  }

  /** Connects and joins the game's namespace with `token`. */
  static async connect(url: string, game: string, token: string, tally: Tally, behaviour: Behaviour, hooks: PlayerHooks): Promise<WirePlayer> {
    const player = new WirePlayer(game, tally, behaviour, hooks);
    let joined: ((value: WirePlayer) => void) | undefined;
    let refused: ((error: Error) => void) | undefined;
    const namespace = new Promise<WirePlayer>((resolve, reject) => ([joined, refused] = [resolve, reject]));
    player.ws = await LiteWebSocket.open(
      socketUrl(url),
      (frame) => {
        const first = frame.charCodeAt(0);
        if (first === 48 /* open */) return player.ws.send(connectPacket(game, { token }));
        if (frame === PING) return player.ws.send(PONG);
        const packet = splitPacket(frame);
        if (!packet) return;
        if (packet.type === SIO_EVENT) return player.onEvent(frame, packet.dataAt);
        if (packet.type === SIO_ACK) {
          const handler = player.acks.get(packet.ackId);
          player.acks.delete(packet.ackId);
          return handler?.(frame, packet.dataAt);
        }
        if (packet.type === SIO_CONNECT) {
          tally.connected++;
          return joined?.(player);
        }
        if (packet.type === SIO_CONNECT_ERROR) refused?.(new Error(`refused: ${frame.slice(packet.dataAt)}`));
      },
      () => {
        if (tally.connected) tally.disconnects++;
        refused?.(new Error("closed before joining the namespace"));
      },
    );
    return namespace;
  }

  join(): void {
    this.request("queue:join", {}, (answer) => {
      if (!answer.ok && answer.error?.code !== "ALREADY_QUEUED") this.tally.error(answer.error?.code ?? "?");
    });
  }

  leaveQueue(): void {
    this.request("queue:leave", {}, (answer) => {
      if (!answer.ok) this.tally.error(answer.error?.code ?? "?");
    });
  }

  leaveMatch(): void {
    if (this.matchId) this.request("match:leave", { matchId: this.matchId }, () => undefined);
  }

  close(): void {
    this.ws.terminate();
  }

  private request(event: string, payload: object, then: (answer: { ok: boolean; error?: { code: string } }) => void): void {
    const id = this.nextAck++;
    this.acks.set(id, (frame, at) => then((JSON.parse(frame.slice(at)) as [{ ok: boolean; error?: { code: string } }])[0]));
    this.ws.send(eventPacket(this.game, event, payload, id));
  }

  /** A server event (protocol v2 sends none that asks for an ack). */
  private onEvent(frame: string, at: number): void {
    if (frame.startsWith(STATE_EVENT, at)) return this.onState(frame, at);
    const name = eventName(frame, at);
    const payload = (JSON.parse(frame.slice(at)) as [string, Record<string, unknown>])[1];
    switch (name) {
      case "match:found":
        this.seat = Number(payload.seat);
        this.tally.found++;
        this.hooks.found?.(this, String(payload.matchId));
        if (!this.behaviour.ready) return;
        return this.request("match:ready", { matchId: payload.matchId }, (answer) => {
          if (!answer.ok) this.tally.error(answer.error?.code ?? "?");
        });
      case "match:start":
      case "match:resumed":
        this.matchId = String(payload.matchId);
        this.seat = Number(payload.seat);
        this.ackEvery = Math.max(1, Number(payload.ackEvery) || 1);
        this.stateAckPrefix = `${this.prefix}["state:ack",{"matchId":"${this.matchId}","tick":`;
        this.statesSeen = 0;
        this.clock.reset();
        this.tally.started++;
        return this.hooks.started?.(this);
      case "match:end":
        this.matchId = undefined;
        this.tally.ended++;
        this.hooks.ended?.(this);
        if (this.behaviour.requeue) this.join();
        return;
      case "match:cancelled":
        if (payload.requeued) return;
        this.hooks.dropped?.(this);
        if (this.behaviour.requeue) this.join();
        return;
    }
  }

  private onState(frame: string, at: number): void {
    const tick = numberAfter(frame, '"tick":', at);
    this.clock.state(tick, performance.now());
    this.tally.statesReceived++;
    // Inputs without an answer are seen in the paddle, so it is read in every state.
    if (this.behaviour.inputs && !this.behaviour.inputAcks) this.clock.paddle(this.paddleOf(frame, at));
    const ack = this.matchId && tick % this.ackEvery === 0 ? `${this.stateAckPrefix}${tick}}]` : undefined;
    if (ack) this.tally.stateAcksSent++;
    const input = this.behaviour.inputs && this.matchId && ++this.statesSeen % this.behaviour.inputEvery === 0 ? this.input(frame, at) : undefined;
    // What a client answers to one state leaves in one write.
    if (ack && input) this.ws.send(ack, input);
    else if (ack || input) this.ws.send((ack ?? input)!);
  }

  private paddleOf(frame: string, at: number): number {
    const paddlesAt = frame.indexOf('"paddles":[', at) + 11;
    return this.seat === 0 ? numberAfter(frame, "", paddlesAt) : numberAfter(frame, ",", paddlesAt);
  }

  /** The follow-the-ball input for the state in `frame`; with answers on, its ack brings the tick that applied it. */
  private input(frame: string, at: number): string {
    const paddle = this.paddleOf(frame, at);
    const dir = pongDirection({ ball: { y: numberAfter(frame, '"y":', at) }, paddles: this.seat === 0 ? [paddle] : [0, paddle] }, this.seat as 0 | 1);
    const sentAt = performance.now();
    const body = `["game:input",{"matchId":"${this.matchId}","seq":${++this.seq},"input":{"dir":${dir}}}]`;
    this.tally.inputsSent++;
    if (!this.behaviour.inputAcks) {
      this.clock.sent(dir, sentAt, paddle);
      return `${this.prefix}${body}`;
    }
    const id = this.nextAck++;
    this.acks.set(id, (answer, answerAt) => {
      if (!answer.startsWith('[{"ok":true', answerAt)) {
        const code = /"code":"([A-Z_]+)"/.exec(answer)?.[1] ?? "?";
        if (code !== "UNKNOWN_MATCH" && code !== "NOT_IN_MATCH") this.tally.error(code);
        return;
      }
      this.tally.inputAcks++;
      this.clock.applied(numberAfter(answer, '"tick":', answerAt), sentAt);
    });
    return `${this.prefix}${id}${body}`;
  }
}
