/**
 * How often each player may connect to this node: at most `limit` connections per player and game
 * within any `windowMs` (a reconnect loop, or a client that reconnects to refill its budgets, is
 * refused with `RATE_LIMITED` at connect). Players not heard of for a window are forgotten.
 */
export class ConnectionRate {
  /** Per game, keyed by the player id itself (the socket's own string: no key built per connection). */
  private readonly recent = new Map<string, Map<string, number[]>>();
  private checks = 0;

  constructor(
    private readonly limit: number,
    private readonly windowMs = 10_000,
  ) {}

  /** Counts a connection attempt; false when the player is over the limit (the attempt is still counted). */
  allow(game: string, playerId: string, now = Date.now()): boolean {
    if (++this.checks % 1024 === 0) this.prune(now);
    let players = this.recent.get(game);
    if (!players) this.recent.set(game, (players = new Map()));
    const times = (players.get(playerId) ?? []).filter((t) => t > now - this.windowMs);
    times.push(now);
    // A copy fits its length (a pushed-to array keeps room for 17): the one kept per player stays small.
    players.set(playerId, times.slice(-2 * this.limit));
    return times.length <= this.limit;
  }

  private prune(now: number): void {
    for (const players of this.recent.values())
      for (const [playerId, times] of players) if ((times.at(-1) ?? 0) <= now - this.windowMs) players.delete(playerId);
  }
}
