import { WireCodec, type GameNetcode, type StatePayload, type WireFieldInfo } from "../../protocol/index.ts";

/** What the client knows of one ref: its match, the last values received, and the view they fill in. */
interface RefState {
  matchId: string;
  values: Float64Array;
  /** A key frame came since the ref was given (deltas before one are dropped). */
  known: boolean;
  /** The last view of the match: the parts the wire does not carry come from it. */
  template: unknown;
}

/**
 * Turns compact states (PROTOCOL.md, Compact state) back into `state` objects: one set of values
 * per ref, each given by `match:start`, `match:resumed` or a `match:spectate` answer and forgotten
 * when its match ends (a playing match's ref 0 names the next match too).
 */
export class StateDecoder {
  private readonly codec: WireCodec;
  private readonly refs = new Map<number, RefState>();
  /** Compact states dropped: unknown ref, malformed, or a delta before any key frame. */
  dropped = 0;

  constructor(
    fields: readonly WireFieldInfo[],
    private readonly fromWire?: GameNetcode["fromWire"],
  ) {
    this.codec = new WireCodec(fields);
  }

  /** A ref was given for `matchId`, starting from `view`: a key frame comes next. */
  open(ref: number, matchId: string, view: unknown): void {
    this.refs.set(ref, { matchId, values: new Float64Array(this.codec.size), known: false, template: view });
  }

  /** Forgets the refs of a match that ended (or that the client stopped watching). */
  close(matchId: string): void {
    for (const [ref, state] of this.refs) if (state.matchId === matchId) this.refs.delete(ref);
  }

  /** The ref this connection has for `matchId`. */
  refOf(matchId: string): number | undefined {
    for (const [ref, state] of this.refs) if (state.matchId === matchId) return ref;
    return undefined;
  }

  /** The `state` a compact frame describes, or undefined when it is dropped. */
  decode(frame: readonly number[]): StatePayload | undefined {
    const ref = this.refs.get(frame[0]!);
    const tick = frame[1];
    if (!ref || typeof tick !== "number" || !this.codec.apply(frame, ref.values, ref.known)) {
      this.dropped += 1;
      return undefined;
    }
    ref.known = true;
    const { state, inputSeq } = this.codec.view(ref.values, ref.template);
    const view = this.fromWire ? this.fromWire(state) : state;
    ref.template = view;
    return { matchId: ref.matchId, tick, state: view, inputSeq };
  }
}
