import { TokenBucket, type RateLimitOptions } from "./rate-limit.ts";

/**
 * Token buckets per player (per game) on this node, not per connection: reconnecting does not
 * refill them. A bucket idle long enough to have refilled is forgotten (a new one is the same).
 */
export class PlayerBudgets {
  private readonly buckets = new Map<string, { bucket: TokenBucket; used: number }>();
  private readonly refillMs: number;
  private takes = 0;

  constructor(private readonly options: RateLimitOptions) {
    this.refillMs = (options.burst / options.perSecond) * 1000;
  }

  /** Whether the player may act now (and counts it). */
  take(game: string, playerId: string): boolean {
    return this.bucket(game, playerId).take() === "ok";
  }

  /** The player's bucket: every connection of the player on this node draws from it. */
  bucket(game: string, playerId: string): TokenBucket {
    const now = Date.now();
    if (++this.takes % 1024 === 0) this.prune(now);
    const key = `${game}|${playerId}`;
    let entry = this.buckets.get(key);
    if (!entry) this.buckets.set(key, (entry = { bucket: new TokenBucket(this.options), used: now }));
    entry.used = now;
    return entry.bucket;
  }

  private prune(now: number): void {
    for (const [key, entry] of this.buckets) if (now - entry.used > this.refillMs) this.buckets.delete(key);
  }
}
