import type { ReplayInput, Seat } from "../protocol/index.ts";

/**
 * Every input of a match that changed its state, with its tick and seat: with the seed, the whole
 * match (its replay), up to `max` inputs (`truncated` past it). A long match holds thousands of
 * them, and a game sends few distinct inputs (pong: three), so each distinct input is kept once,
 * as its JSON, and each entry is two integers in typed arrays: the tick, and the input's number
 * with the seat. A heap snapshot at 1,000 pong players found 267,000 objects of the old log (an
 * object per entry and one per input), a quarter of the live heap. It also knows how many entries
 * the store holds already, so that a snapshot carries only those logged since the last one.
 */
export class ReplayLog {
  private ticks = new Int32Array(64);
  /** Per entry: the input's number in `distinct` times two, plus the seat. */
  private codes = new Int32Array(64);
  private count = 0;
  private readonly distinct: string[] = [];
  private readonly numbers = new Map<string, number>();
  truncated = false;
  /** How many of the entries the store holds (written with earlier snapshots). */
  private saved = 0;

  constructor(
    private readonly max: number,
    restored: readonly ReplayInput[] = [],
  ) {
    for (const input of restored) this.log(input);
    this.saved = this.count;
  }

  log(entry: ReplayInput): void {
    if (this.count >= this.max) {
      this.truncated = true;
      return;
    }
    const json = JSON.stringify(entry.input);
    let number = this.numbers.get(json);
    if (number === undefined) {
      number = this.distinct.push(json) - 1;
      this.numbers.set(json, number);
    }
    if (this.count === this.ticks.length) this.grow();
    this.ticks[this.count] = entry.tick;
    this.codes[this.count] = number * 2 + entry.seat;
    this.count++;
  }

  /** How many inputs are logged. */
  get length(): number {
    return this.count;
  }

  /** The whole log, as the replay gives it. */
  inputs(): ReplayInput[] {
    const parsed = this.distinct.map((json) => JSON.parse(json) as unknown);
    const out: ReplayInput[] = [];
    for (let i = 0; i < this.count; i++) {
      const code = this.codes[i]!;
      out.push({ tick: this.ticks[i]!, seat: (code % 2) as Seat, input: parsed[code >> 1] });
    }
    return out;
  }

  /** The inputs the store does not hold yet, each as JSON, and the index of the first. */
  unsaved(): { from: number; inputs: string[] } {
    const inputs: string[] = [];
    for (let i = this.saved; i < this.count; i++) {
      const code = this.codes[i]!;
      inputs.push(`{"tick":${this.ticks[i]},"seat":${code % 2},"input":${this.distinct[code >> 1]}}`);
    }
    return { from: this.saved, inputs };
  }

  /** The store kept a snapshot: it holds the inputs up to `upTo`. */
  savedUpTo(upTo: number): void {
    this.saved = Math.max(this.saved, Math.min(upTo, this.count));
  }

  private grow(): void {
    const ticks = new Int32Array(this.ticks.length * 2);
    const codes = new Int32Array(this.codes.length * 2);
    ticks.set(this.ticks);
    codes.set(this.codes);
    this.ticks = ticks;
    this.codes = codes;
  }
}
