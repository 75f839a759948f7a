import { MAX_COMPACT_FIELDS, type CompactState, type StatePayload, type WireCodec } from "../../protocol/index.ts";

/** How often unused refs are looked at; a ref is freed two sweeps after its match ended here, or after `IDLE_SWEEPS` unused. */
const SWEEP_MS = 30_000;
const IDLE_SWEEPS = 20;
/** A key frame every this many seconds of a match's ticks, whatever happened: a state lost anyway (a transport that dropped it) heals. */
const KEY_EVERY_S = 10;

/**
 * The ref of the match a connection plays: a connection plays at most one match at a time (one
 * per game, and a connection is in one game's namespace), so its states and acks need no other.
 */
export const PLAYING_REF = 0;

/** One match as this node's connections know it: its spectators' ref, and what each audience was sent last. */
interface MatchWire {
  /** The ref spectators here know it by (from 1: a spectator may watch several matches, and play one). */
  readonly ref: number;
  readonly game: string;
  readonly matchId: string;
  /** The shared view's last values sent from here, and each per-seat view's by player. */
  shared: Float64Array | undefined;
  readonly own: Map<string, Float64Array>;
  /** Sweeps since it was last used; whether its match ended here. */
  idle: number;
  ended: boolean;
}

/**
 * Compact states on this node (PROTOCOL.md, Compact state). Each match a connection here plays or
 * watches has a `ref`, a small integer that names it on that connection: `PLAYING_REF` (0) for the
 * match it plays (`match:start`, `match:resumed`; its compact acks name it), and for a match it
 * watches a number from 1 shared by all of this node's spectators of it (the `match:spectate`
 * answer). States are encoded once per match and audience: the shared view against the last one
 * sent from here, each per-seat view against that seat's last, spectators' as key frames (their
 * sends may be dropped). A delta is only correct for connections that got every state before it:
 * whenever one joins (a start, a resumption, a join of the match's group), the next state of the
 * match is a key frame.
 */
export class StateWires {
  private readonly byMatch = new Map<string, MatchWire>();
  /** Freed refs, reused lowest first, so refs stay small. */
  private readonly free: number[] = [];
  private nextRef = 1;
  private readonly next = new Float64Array(MAX_COMPACT_FIELDS);
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly codecs: ReadonlyMap<string, WireCodec>,
    private readonly tickRates: ReadonlyMap<string, number>,
  ) {
    this.timer = setInterval(() => this.sweep(), SWEEP_MS).unref();
  }

  /** Whether the game has a compact encoding. */
  has(game: string): boolean {
    return this.codecs.has(game);
  }

  /** The ref this node's spectators know the match by (one is given the first time it is asked). */
  spectatorRef(game: string, matchId: string): number {
    return this.wire(game, matchId).ref;
  }

  /** A connection joins the match's audience here: its next state goes as a key frame to everyone. */
  keyFrameNext(matchId: string): void {
    const wire = this.byMatch.get(matchId);
    if (!wire) return;
    wire.shared = undefined;
    wire.own.clear();
  }

  /** The match ended here: its ref is freed once its last acks had time to come. */
  ended(matchId: string): void {
    const wire = this.byMatch.get(matchId);
    if (wire) wire.ended = true;
  }

  /**
   * The compact form of a state for its players: the shared view (`own` undefined) or the per-seat
   * view of player `own`, as a delta against what that audience was sent from here; with
   * `spectators`, a key frame under the spectators' ref. Undefined when the game has no compact encoding.
   */
  compact(game: string, payload: StatePayload, own?: string, spectators = false): CompactState | undefined {
    const codec = this.codecs.get(game);
    if (!codec) return undefined;
    const wire = this.wire(game, payload.matchId);
    const { next } = this;
    codec.read(payload.state, payload.inputSeq, next);
    if (spectators) return codec.encode(wire.ref, payload.tick, next, undefined);
    const periodic = payload.tick % (KEY_EVERY_S * (this.tickRates.get(game) ?? 30)) === 0;
    let prev = own === undefined ? wire.shared : wire.own.get(own);
    if (!prev || periodic) {
      prev = next.slice(0, codec.size);
      if (own === undefined) wire.shared = prev;
      else wire.own.set(own, prev);
      return codec.encode(PLAYING_REF, payload.tick, next, undefined);
    }
    return codec.encode(PLAYING_REF, payload.tick, next, prev);
  }

  close(): void {
    clearInterval(this.timer);
  }

  private wire(game: string, matchId: string): MatchWire {
    let wire = this.byMatch.get(matchId);
    if (!wire) {
      const ref = this.free.length ? this.takeLowestFree() : this.nextRef++;
      wire = { ref, game, matchId, shared: undefined, own: new Map(), idle: 0, ended: false };
      this.byMatch.set(matchId, wire);
    }
    wire.idle = 0;
    return wire;
  }

  private takeLowestFree(): number {
    let at = 0;
    for (let i = 1; i < this.free.length; i++) if (this.free[i]! < this.free[at]!) at = i;
    return this.free.splice(at, 1)[0]!;
  }

  private sweep(): void {
    for (const wire of this.byMatch.values()) {
      wire.idle++;
      if ((wire.ended && wire.idle >= 2) || wire.idle >= IDLE_SWEEPS) {
        this.byMatch.delete(wire.matchId);
        this.free.push(wire.ref);
      }
    }
  }
}
