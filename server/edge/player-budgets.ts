import { KeyedBuckets, type RateLimitOptions, type TokenBucket } from "./rate-limit.ts";

/**
 * Token buckets per player (per game) on this node, not per connection: reconnecting does not
 * refill them. A bucket that has refilled to its burst is forgotten (a new one is the same); a
 * drained one is kept however long ago it was handed out (its connection takes from it directly).
 */
export class PlayerBudgets {
  private readonly buckets: KeyedBuckets;

  constructor(options: RateLimitOptions) {
    this.buckets = new KeyedBuckets(options);
  }

  /** Whether the player may act now (and counts it). */
  take(game: string, playerId: string): boolean {
    return this.bucket(game, playerId).take() === "ok";
  }

  /** The player's bucket: every connection of the player on this node draws from it. */
  bucket(game: string, playerId: string): TokenBucket {
    return this.buckets.get(`${game}|${playerId}`);
  }

  /** Buckets held. */
  get size(): number {
    return this.buckets.size;
  }
}
