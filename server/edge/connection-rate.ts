/**
 * How often each player may connect to this node: at most `limit` connections per player and game
 * within any `windowMs` (a reconnect loop, or a client that reconnects to refill its budgets, is
 * refused with `RATE_LIMITED` at connect). Players not heard of for a window are forgotten.
 */
export class ConnectionRate {
  private readonly recent = new Map<string, number[]>();
  private checks = 0;

  constructor(
    private readonly limit: number,
    private readonly windowMs = 10_000,
  ) {}

  /** Counts a connection attempt; false when the player is over the limit (the attempt is still counted). */
  allow(game: string, playerId: string, now = Date.now()): boolean {
    if (++this.checks % 1024 === 0) this.prune(now);
    const key = `${game}|${playerId}`;
    const times = (this.recent.get(key) ?? []).filter((t) => t > now - this.windowMs);
    times.push(now);
    this.recent.set(key, times.slice(-2 * this.limit));
    return times.length <= this.limit;
  }

  private prune(now: number): void {
    for (const [key, times] of this.recent) if ((times.at(-1) ?? 0) <= now - this.windowMs) this.recent.delete(key);
  }
}
