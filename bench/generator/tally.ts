import { performance } from "node:perf_hooks";
import { encodeIntoCompressedBase64 } from "hdr-histogram-js";
import { microsecondHistogram } from "../../game-rooms/index.ts";

/** What a generator's players did, counted exactly; read by the bench at chosen instants. */
export class Tally {
  statesReceived = 0;
  stateAcksSent = 0;
  inputsSent = 0;
  inputAcks = 0;
  errors = 0;
  disconnects = 0;
  connected = 0;
  started = 0;
  ended = 0;
  found = 0;
  /** Bytes of the state messages received (the Engine.IO message, WebSocket framing not counted), and of every message. */
  stateBytes = 0;
  bytesIn = 0;
  /** Time from sending an input to receiving the first state that reflects it. */
  readonly inputToStateUs = microsecondHistogram();
  /** Pairing overhead: when both partners were told minus when the later one joined. */
  readonly pairingUs = microsecondHistogram();
  readonly errorCodes = new Map<string, number>();

  error(code: string): void {
    this.errors++;
    this.errorCodes.set(code, (this.errorCodes.get(code) ?? 0) + 1);
  }

  snapshot(): Record<string, unknown> {
    const cpu = process.cpuUsage();
    return {
      at: performance.timeOrigin + performance.now(),
      cpuUs: cpu.user + cpu.system,
      systemUs: cpu.system,
      statesReceived: this.statesReceived,
      stateAcksSent: this.stateAcksSent,
      inputsSent: this.inputsSent,
      inputAcks: this.inputAcks,
      errors: this.errors,
      errorCodes: Object.fromEntries(this.errorCodes),
      disconnects: this.disconnects,
      connected: this.connected,
      started: this.started,
      ended: this.ended,
      found: this.found,
      stateBytes: this.stateBytes,
      bytesIn: this.bytesIn,
      inputToStateUs: encodeIntoCompressedBase64(this.inputToStateUs),
      pairingUs: encodeIntoCompressedBase64(this.pairingUs),
    };
  }
}

/** States after which an input that never showed is given up (it pushed a paddle into a wall). */
const GIVE_UP_STATES = 30;

/**
 * Input-to-state latency of one player. With answers, an input's ack names the tick that applied
 * it, and its latency ends when that tick's state arrives (or has arrived). Without answers (fire
 * and forget), it ends with the first state whose paddle moves as the input asks: measured only for
 * inputs that change the direction the paddle was seen to keep, so the change is unambiguous.
 */
export class InputClock {
  private readonly ticks = new Int32Array(32).fill(-1);
  private readonly at = new Float64Array(32);
  private waiting: [tick: number, sentAt: number] | undefined;
  /** Fire and forget: the direction in flight, when it was sent, and what the paddle did last. */
  private pending: { dir: number; sentAt: number; statesLeft: number } | undefined;
  private lastDir = 0;
  private lastY = NaN;
  private lastMove = NaN;

  constructor(private readonly tally: Tally) {}

  /** A new match: nothing carries over. */
  reset(): void {
    this.waiting = this.pending = undefined;
    this.lastDir = 0;
    this.lastY = this.lastMove = NaN;
  }

  /** An input sent without asking for an answer, when the paddle stood at `paddleY`. */
  sent(dir: number, sentAt: number, paddleY: number): void {
    // A later input that asks for something else makes the one in flight impossible to tell apart.
    if (this.pending && this.pending.dir !== dir) this.pending = undefined;
    // Only a change of direction, from a motion the paddle was seen to keep, shows unambiguously.
    const settled = !Number.isNaN(this.lastMove) && Math.sign(this.lastMove) === this.lastDir;
    if (dir !== this.lastDir && settled && !this.pending) this.pending = { dir, sentAt, statesLeft: GIVE_UP_STATES };
    this.lastDir = dir;
    if (Number.isNaN(this.lastY)) this.lastY = paddleY;
  }

  /** The player's paddle in each state, while inputs go without answers. */
  paddle(y: number): void {
    if (!Number.isNaN(this.lastY)) this.lastMove = y - this.lastY;
    this.lastY = y;
    const pending = this.pending;
    if (!pending || Number.isNaN(this.lastMove)) return;
    if (Math.sign(this.lastMove) === pending.dir) {
      this.pending = undefined;
      this.tally.inputToStateUs.recordValue(Math.max(1, Math.round((performance.now() - pending.sentAt) * 1000)));
    } else if (--pending.statesLeft <= 0) this.pending = undefined;
  }

  /** The state of `tick` arrived at `now`. */
  state(tick: number, now: number): void {
    this.ticks[tick & 31] = tick;
    this.at[tick & 31] = now;
    if (this.waiting?.[0] === tick) this.record(now - this.waiting[1]);
  }

  /** An input sent at `sentAt` was applied at `tick`: its latency ends when that tick's state arrives. */
  applied(tick: number, sentAt: number): void {
    if (this.ticks[tick & 31] === tick) this.record(this.at[tick & 31]! - sentAt);
    else this.waiting = [tick, sentAt];
  }

  private record(ms: number): void {
    this.waiting = undefined;
    this.tally.inputToStateUs.recordValue(Math.max(1, Math.round(ms * 1000)));
  }
}

/** What the players do; the generator flips these between phases. */
export interface Behaviour {
  /** Queue again after a match ends or a ready check is cancelled. */
  requeue: boolean;
  /** Send inputs while playing. */
  inputs: boolean;
  /** Answer `match:found` with `match:ready` (otherwise the generator decides). */
  ready: boolean;
  /** Send an input every this many states (pong at 30 Hz: 3 is 10 inputs per second). */
  inputEvery: number;
  /** Ask for an answer to each input (otherwise fire and forget). */
  inputAcks: boolean;
  /** Ask for compact states (`auth.encoding`); the wire client reads both forms. */
  compact: boolean;
  /** The queue mode players join (undefined: the game's default, `ranked`). */
  mode?: string;
}

/** What the generator hears from its players. */
export interface PlayerHooks {
  found?(player: BenchPlayer, matchId: string): void;
  started?(player: BenchPlayer): void;
  ended?(player: BenchPlayer): void;
  /** A ready check was cancelled and the player was not put back in the queue. */
  dropped?(player: BenchPlayer): void;
}

/** One simulated player, over the wire or through the SDK. */
export interface BenchPlayer {
  readonly matchId: string | undefined;
  readonly seat: number;
  /** `queue:join`. */
  join(): void;
  /** `match:leave` (forfeits the running match). */
  leaveMatch(): void;
  /** `queue:leave` (also walks out of a ready check). */
  leaveQueue(): void;
  close(): void;
}
