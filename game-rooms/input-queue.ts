import type { ArenaError } from "../protocol/index.ts";

type Resolve = (tick: number) => void;
type Reject = (error: ArenaError) => void;

/**
 * A seat's inputs waiting for the next tick, in seq order, in arrays that are reused tick after
 * tick. An object per queued input and a fresh backing array after each tick (`length = 0` frees
 * it) were alive whenever a scavenge struck between an input and its tick: at 1,000 players and
 * 10 inputs a second each, about a third of the seats held one, the largest part of what each
 * scavenge had to copy. An input sent without an answer has no callbacks.
 */
export class InputQueue {
  private readonly seqs: number[] = [];
  private readonly inputs: unknown[] = [];
  private readonly resolves: (Resolve | undefined)[] = [];
  private readonly rejects: (Reject | undefined)[] = [];
  private count = 0;

  get length(): number {
    return this.count;
  }

  has(seq: number): boolean {
    for (let i = 0; i < this.count; i++) if (this.seqs[i] === seq) return true;
    return false;
  }

  /** Adds an input at its place in seq order (usually the end). */
  push(seq: number, input: unknown, resolve?: Resolve, reject?: Reject): void {
    let at = this.count;
    while (at > 0 && this.seqs[at - 1]! > seq) {
      this.seqs[at] = this.seqs[at - 1]!;
      this.inputs[at] = this.inputs[at - 1];
      this.resolves[at] = this.resolves[at - 1];
      this.rejects[at] = this.rejects[at - 1];
      at--;
    }
    this.seqs[at] = seq;
    this.inputs[at] = input;
    this.resolves[at] = resolve;
    this.rejects[at] = reject;
    this.count++;
  }

  seqAt(i: number): number {
    return this.seqs[i]!;
  }

  inputAt(i: number): unknown {
    return this.inputs[i];
  }

  resolveAt(i: number): Resolve | undefined {
    return this.resolves[i];
  }

  rejectAt(i: number): Reject | undefined {
    return this.rejects[i];
  }

  /** Empties the queue; the arrays stay, their references to inputs and callbacks go. */
  clear(): void {
    for (let i = 0; i < this.count; i++) {
      this.inputs[i] = undefined;
      this.resolves[i] = undefined;
      this.rejects[i] = undefined;
    }
    this.count = 0;
  }

  /** Refuses every queued input that has a callback (the match is over), and empties the queue. */
  rejectAll(error: () => ArenaError): void {
    for (let i = 0; i < this.count; i++) this.rejects[i]?.(error());
    this.clear();
  }
}
