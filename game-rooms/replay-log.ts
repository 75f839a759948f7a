import type { ReplayInput } from "../protocol/index.ts";

/**
 * Every input of a match that changed its state, with its tick and seat: with the seed, the whole
 * match (its replay), up to `max` inputs (`truncated` past it). It also knows how many of them the
 * store holds already, so that a snapshot carries only the inputs logged since the last one.
 */
export class ReplayLog {
  readonly applied: ReplayInput[] = [];
  truncated = false;
  /** How many of `applied` the store holds (written with earlier snapshots). */
  private saved = 0;

  constructor(
    private readonly max: number,
    restored: readonly ReplayInput[] = [],
  ) {
    for (const input of restored) this.log(input);
    this.saved = this.applied.length;
  }

  log(input: ReplayInput): void {
    if (this.applied.length >= this.max) {
      this.truncated = true;
      return;
    }
    this.applied.push(input);
  }

  /** The inputs the store does not hold yet, each as JSON, and the index of the first. */
  unsaved(): { from: number; inputs: string[] } {
    const from = this.saved;
    return { from, inputs: this.applied.slice(from).map((input) => JSON.stringify(input)) };
  }

  /** The store kept a snapshot: it holds the inputs up to `upTo`. */
  savedUpTo(upTo: number): void {
    this.saved = Math.max(this.saved, Math.min(upTo, this.applied.length));
  }
}
