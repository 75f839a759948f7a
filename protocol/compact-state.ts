/**
 * Compact states (PROTOCOL.md, Compact state): a `state` as a JSON array of integers,
 * `[ref, tick, mask, v...]`, where bit i of `mask` says field i of the game's `wire` follows. A field
 * that does not follow keeps the value the connection last received; a key frame carries them all.
 * This module is the wire format only: the server encodes with it, clients decode with it.
 */

/** How a connection wants its states: the v2 object, or compact arrays. */
export type StateEncoding = "json" | "compact";

/** One number of a game's view on the wire: its path in the view, and `round(value * scale)` is sent. */
export interface WireFieldInfo {
  name: string;
  scale: number;
}

/** A compact `state`: `[ref, tick, mask, ...values]`. */
export type CompactState = number[];
/** A compact `state:ack`: `[ref, tick]`. */
export type CompactAck = [ref: number, tick: number];

/** The value a null field (an empty cell) is sent as. */
export const NULL_VALUE = -1;
/** The fields after the game's own: the `state` event's `inputSeq`. */
export const INPUT_SEQ_NAMES = ["inputSeq.0", "inputSeq.1"] as const;
/** Fields a compact state may carry, `inputSeq` included: the mask stays a small exact integer. */
export const MAX_COMPACT_FIELDS = 30;

/** A field's path, split once: the parts are object keys or array indexes. */
type Path = readonly string[];

function split(name: string): Path {
  return name.split(".");
}

/**
 * A game's wire description, compiled once: reads the numbers of a view into an array, and turns
 * arrays back into a view. `fields` is the `wire.fields` of `GET /v1/games` (inputSeq last).
 */
export class WireCodec {
  readonly size: number;
  private readonly paths: Path[];
  private readonly scales: Float64Array;
  /** How many of the fields belong to the view (the rest are `inputSeq`). */
  private readonly viewFields: number;

  constructor(readonly fields: readonly WireFieldInfo[]) {
    if (fields.length > MAX_COMPACT_FIELDS) throw new Error(`a compact state carries at most ${MAX_COMPACT_FIELDS} fields`);
    this.size = fields.length;
    this.paths = fields.map((f) => split(f.name));
    this.scales = Float64Array.from(fields, (f) => f.scale);
    const seqAt = fields.findIndex((f) => f.name === INPUT_SEQ_NAMES[0]);
    this.viewFields = seqAt < 0 ? fields.length : seqAt;
  }

  /** The wire values of a view (and its `inputSeq`) into `out`: `round(value * scale)`, null as -1. */
  read(view: unknown, inputSeq: readonly number[] | undefined, out: Float64Array): void {
    const { paths, scales } = this;
    for (let i = 0; i < this.viewFields; i++) {
      let at: unknown = view;
      for (const part of paths[i]!) at = at === null || typeof at !== "object" ? undefined : (at as Record<string, unknown>)[part];
      out[i] = at === null ? NULL_VALUE : typeof at === "number" ? Math.round(at * scales[i]!) : 0;
    }
    for (let i = this.viewFields; i < this.size; i++) out[i] = inputSeq?.[i - this.viewFields] ?? 0;
  }

  /**
   * `[ref, tick, mask, v...]` of `next`: every field with `prev` undefined (a key frame), else only
   * those that differ from `prev`. Copies `next` into `prev`.
   */
  encode(ref: number, tick: number, next: Float64Array, prev: Float64Array | undefined): CompactState {
    const frame: number[] = [ref, tick, 0];
    let mask = 0;
    for (let i = 0; i < this.size; i++) {
      const value = next[i]!;
      if (prev && prev[i] === value) continue;
      mask += 2 ** i;
      frame.push(value);
      if (prev) prev[i] = value;
    }
    frame[2] = mask;
    return frame;
  }

  /**
   * Applies a compact state to `values` (the connection's last values of this match, kept by the
   * caller; key frames fill them all). Returns false when the frame is malformed or a delta comes
   * before any key frame (`known` false).
   */
  apply(frame: readonly number[], values: Float64Array, known: boolean): boolean {
    const mask = frame[2];
    if (typeof mask !== "number" || !Number.isInteger(mask) || mask < 0) return false;
    let at = 3;
    let all = true;
    for (let i = 0; i < this.size; i++) {
      if (Math.floor(mask / 2 ** i) % 2 === 1) {
        const value = frame[at++];
        if (typeof value !== "number") return false;
        values[i] = value;
      } else all = false;
    }
    return at === frame.length && (known || all);
  }

  /**
   * The view and `inputSeq` that `values` describe, built on `template` (a view of the same game, e.g.
   * `match:start`'s state): every wire field is set from `values`, the rest is the template's.
   */
  view<V>(values: Float64Array, template: V): { state: V; inputSeq: [number, number] } {
    const state = structuredClone(template);
    for (let i = 0; i < this.viewFields; i++) {
      const path = this.paths[i]!;
      let at = state as Record<string, unknown>;
      for (let p = 0; p < path.length - 1 && at; p++) at = at[path[p]!] as Record<string, unknown>;
      if (!at || typeof at !== "object") continue;
      at[path[path.length - 1]!] = decodeValue(values[i]!, this.scales[i]!);
    }
    const seq = (k: number) => (this.viewFields + k < this.size ? values[this.viewFields + k]! : 0);
    return { state, inputSeq: [seq(0), seq(1)] };
  }
}

/**
 * A wire value as the view's number: -1 in a field of scale 1 is null (an empty cell; games keep
 * -1 out of such fields), anything else `value / scale`.
 */
export function decodeValue(value: number, scale: number): number | null {
  return value === NULL_VALUE && scale === 1 ? null : value / scale;
}
