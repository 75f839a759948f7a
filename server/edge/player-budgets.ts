import { KeyedBuckets, type RateLimitOptions, type TokenBucket } from "./rate-limit.ts";

/**
 * Token buckets per player (per game) on this node, not per connection: reconnecting does not
 * refill them. A bucket that has refilled to its burst is forgotten (a new one is the same); a
 * drained one is kept however long ago it was handed out (its connection takes from it directly).
 */
export class PlayerBudgets {
  /** Per game, keyed by the player id itself (the socket's own string: no key built per connection). */
  private readonly games = new Map<string, KeyedBuckets>();

  constructor(private readonly options: RateLimitOptions) {}

  /** Whether the player may act now (and counts it). */
  take(game: string, playerId: string): boolean {
    return this.bucket(game, playerId).take() === "ok";
  }

  /** The player's bucket: every connection of the player on this node draws from it. */
  bucket(game: string, playerId: string): TokenBucket {
    let buckets = this.games.get(game);
    if (!buckets) this.games.set(game, (buckets = new KeyedBuckets(this.options)));
    return buckets.get(playerId);
  }

  /** Buckets held. */
  get size(): number {
    let size = 0;
    for (const buckets of this.games.values()) size += buckets.size;
    return size;
  }
}
