import { performance } from "node:perf_hooks";
import { pongDirection } from "../../game-rooms/games/pong/index.ts";
import type { WireFieldInfo } from "../../protocol/index.ts";
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
/** Where a compact state's array starts, after `["state",`. */
const COMPACT_AT = STATE_EVENT.length;
const OPEN_BRACKET = 91;

/** Where pong's compact states carry what the players read: the ball's height and the paddles (index and scale). */
interface PongLayout {
  ballY: number;
  paddles: [number, number];
  scale: number;
  size: number;
}

/**
 * A player that speaks Socket.IO frames directly over a bare WebSocket (`LiteWebSocket`): outgoing
 * packets are built from strings; of each incoming state only the tick and the few numbers the
 * follow-the-ball rule and the input clock need are read. Everything else (`match:*`) is rare and
 * parsed as JSON. A state's `state:ack` and an input leave in one write.
 */
export class WirePlayer implements BenchPlayer {
  /** The one game whose states this client reads by hand (the hot-path generator); any game plays with `--client sdk`. */
  static readonly decodes = "pong";
  private static layout: PongLayout | undefined;
  /** Pong's wire fields (its `wire`, then inputSeq), for players that ask for compact states. */
  static useWire(fields: readonly WireFieldInfo[]): void {
    const at = (name: string) => fields.findIndex((f) => f.name === name);
    WirePlayer.layout = { ballY: at("ball.y"), paddles: [at("paddles.0"), at("paddles.1")], scale: fields[at("ball.y")]!.scale, size: fields.length };
  }
  matchId: string | undefined;
  seat = 0;
  private ws!: LiteWebSocket;
  private readonly acks = new Map<number, AckHandler>();
  private nextAck = 0;
  /** Input seq: from 1 in each match (after a resumption, from what the server applied). */
  private seq = 0;
  /** The match's ref and its fields' last values, on a compact connection. */
  private ref = -1;
  private values: Float64Array | undefined;
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
        tally.bytesIn += frame.length;
        if (first === 48 /* open */) return player.ws.send(connectPacket(game, behaviour.compact ? { token, encoding: "compact" } : { token }));
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
    this.request("queue:join", this.behaviour.mode ? { mode: this.behaviour.mode } : {}, (answer) => {
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
        this.ref = typeof payload.ref === "number" ? payload.ref : -1;
        this.values?.fill(Number.NaN); // until the key frame that follows
        this.seq = Array.isArray(payload.inputSeq) ? Number(payload.inputSeq[this.seat]) || 0 : 0;
        // A compact connection acknowledges by the match's ref.
        this.stateAckPrefix =
          this.behaviour.compact && this.ref >= 0
            ? `${this.prefix}["state:ack",[${this.ref},`
            : `${this.prefix}["state:ack",{"matchId":"${this.matchId}","tick":`;
        this.statesSeen = 0;
        this.clock.reset();
        this.tally.started++;
        return this.hooks.started?.(this);
      case "match:end":
        this.matchId = undefined;
        // Ref 0 names the next match once its start comes: a state of it that comes first is not this one's.
        this.ref = -1;
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
    this.tally.stateBytes += frame.length;
    const compact = frame.charCodeAt(at + COMPACT_AT) === OPEN_BRACKET;
    const tick = compact ? this.readCompact(frame, at + COMPACT_AT) : numberAfter(frame, '"tick":', at);
    this.tally.statesReceived++;
    // Delivered, but not this match's (or a delta before its key frame): nothing to read in it.
    if (tick < 0) return;
    this.clock.state(tick, performance.now());
    const paddle = () => (compact ? this.compactPaddle() : this.paddleOf(frame, at));
    // Inputs without an answer are seen in the paddle, so it is read in every state.
    if (this.behaviour.inputs && !this.behaviour.inputAcks) this.clock.paddle(paddle());
    const ack = this.matchId && tick % this.ackEvery === 0 ? `${this.stateAckPrefix}${tick}${compact ? "]]" : "}]"}` : undefined;
    if (ack) this.tally.stateAcksSent++;
    const wantsInput = this.behaviour.inputs && this.matchId && ++this.statesSeen % this.behaviour.inputEvery === 0;
    const input = wantsInput ? this.input(paddle(), compact ? this.compactBallY() : numberAfter(frame, '"y":', at)) : undefined;
    // What a client answers to one state leaves in one write.
    if (ack && input) this.ws.send(ack, input);
    else if (ack || input) this.ws.send((ack ?? input)!);
  }

  /**
   * Reads a compact state `[ref,tick,mask,v...]` starting at `from` into this match's values;
   * returns its tick, or -1 when it is not this match's (or a delta came before any key frame).
   */
  private readCompact(frame: string, from: number): number {
    const layout = WirePlayer.layout;
    if (!layout) return -1;
    let ref = 0;
    let tick = 0;
    let mask = 0;
    let field = -1;
    let part = 0;
    let value = 0;
    let negative = false;
    const values = (this.values ??= new Float64Array(layout.size).fill(Number.NaN));
    for (let i = from + 1; i < frame.length; i++) {
      const c = frame.charCodeAt(i);
      if (c >= 48 && c <= 57) value = value * 10 + (c - 48);
      else if (c === 45) negative = true;
      else {
        const n = negative ? -value : value;
        if (part === 0) ref = n;
        else if (part === 1) tick = n;
        else if (part === 2) mask = n;
        else {
          do field++;
          while (field < layout.size && Math.floor(mask / 2 ** field) % 2 === 0);
          if (field < layout.size) values[field] = n;
        }
        part++;
        value = 0;
        negative = false;
        if (c === 93 /* ] */) break;
      }
    }
    if (ref !== this.ref || Number.isNaN(values[layout.ballY]!)) return -1;
    return tick;
  }

  private compactPaddle(): number {
    const layout = WirePlayer.layout!;
    return this.values![layout.paddles[this.seat === 0 ? 0 : 1]]! / layout.scale;
  }

  private compactBallY(): number {
    const layout = WirePlayer.layout!;
    return this.values![layout.ballY]! / layout.scale;
  }

  private paddleOf(frame: string, at: number): number {
    const paddlesAt = frame.indexOf('"paddles":[', at) + 11;
    return this.seat === 0 ? numberAfter(frame, "", paddlesAt) : numberAfter(frame, ",", paddlesAt);
  }

  /** The follow-the-ball input for a state (its paddle and ball height); with answers on, its ack brings the tick that applied it. */
  private input(paddle: number, ballY: number): string {
    const dir = pongDirection({ ball: { y: ballY }, paddles: this.seat === 0 ? [paddle] : [0, paddle] }, this.seat as 0 | 1);
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
