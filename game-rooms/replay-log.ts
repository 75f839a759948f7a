import type { ReplayInput } from "../protocol/index.ts";

/**
 * Every input of a match that changed its state, with its tick and seat: with the seed, the whole
 * match (its replay), up to `max` inputs (`truncated` past it). Each is kept as its JSON, one string:
 * a long match holds thousands, and a string is one object the collector never looks inside, where
 * the input and its entry were two (a heap snapshot at 1,000 pong players found 267,000 of them,
 * a quarter of the live heap). Snapshots store that JSON as it is. It also knows how many of them
 * the store holds already, so that a snapshot carries only the inputs logged since the last one.
 */
export class ReplayLog {
  private readonly entries: string[] = [];
  truncated = false;
  /** How many of the entries the store holds (written with earlier snapshots). */
  private saved = 0;

  constructor(
    private readonly max: number,
    restored: readonly ReplayInput[] = [],
  ) {
    for (const input of restored) this.log(input);
    this.saved = this.entries.length;
  }

  log(input: ReplayInput): void {
    if (this.entries.length >= this.max) {
      this.truncated = true;
      return;
    }
    this.entries.push(JSON.stringify(input));
  }

  /** How many inputs are logged. */
  get length(): number {
    return this.entries.length;
  }

  /** The whole log, as the replay gives it. */
  inputs(): ReplayInput[] {
    return JSON.parse(`[${this.entries.join(",")}]`) as ReplayInput[];
  }

  /** The inputs the store does not hold yet, each as JSON, and the index of the first. */
  unsaved(): { from: number; inputs: string[] } {
    const from = this.saved;
    return { from, inputs: this.entries.slice(from) };
  }

  /** The store kept a snapshot: it holds the inputs up to `upTo`. */
  savedUpTo(upTo: number): void {
    this.saved = Math.max(this.saved, Math.min(upTo, this.entries.length));
  }
}
