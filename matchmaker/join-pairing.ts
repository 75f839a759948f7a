import { performance } from "node:perf_hooks";

/** How long one slice of join-time pairing attempts may run before the node's timers and sockets get a turn. */
const SLICE_MS = 2;

interface Attempt {
  game: string;
  mode: string;
  ticketId: string;
}

/**
 * Join-time pairing attempts, started from one drain that yields every `SLICE_MS` of work. One
 * `setImmediate` per join ran every attempt of a burst of joins in the same event-loop phase: 1,210
 * players joining at once held every running match's tick back by 266 ms. Now the attempts start
 * in arrival order, a slice at a time, and the running rooms tick between slices. An attempt is not
 * awaited before the next starts (with Redis, they overlap on the wire as before).
 */
export class JoinPairing {
  private readonly pending: Attempt[] = [];
  private next = 0;
  private scheduled = false;

  constructor(private readonly attempt: (game: string, mode: string, ticketId: string) => void) {}

  add(game: string, mode: string, ticketId: string): void {
    this.pending.push({ game, mode, ticketId });
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.drain());
  }

  private drain(): void {
    this.scheduled = false;
    const until = performance.now() + SLICE_MS;
    while (this.next < this.pending.length) {
      const { game, mode, ticketId } = this.pending[this.next]!;
      this.pending[this.next++] = undefined as never;
      this.attempt(game, mode, ticketId);
      if (performance.now() >= until) break;
    }
    if (this.next < this.pending.length) return this.schedule();
    this.pending.length = 0;
    this.next = 0;
  }
}
