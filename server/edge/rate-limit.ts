/** Settings of the per-connection token bucket. */
export interface RateLimitOptions {
  perSecond: number;
  burst: number;
  /** Refused events in a row (without a refill back to a full bucket) after which the connection is cut. */
  disconnectAfter: number;
}

/** A token bucket for one connection; `now` is injectable for tests. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private refusedInRow = 0;

  constructor(
    private readonly options: RateLimitOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = options.burst;
    this.last = now();
  }

  /** Whether `cost` tokens could be taken now (takes nothing). */
  has(cost = 1): boolean {
    const elapsed = Math.max(0, this.now() - this.last) / 1000;
    return Math.min(this.options.burst, this.tokens + elapsed * this.options.perSecond) >= cost;
  }

  /** True when the bucket has refilled to its burst: it is then no different from a new one. */
  isFull(): boolean {
    const elapsed = Math.max(0, this.now() - this.last) / 1000;
    return this.tokens + elapsed * this.options.perSecond >= this.options.burst;
  }

  /** Takes `cost` tokens (1 by default): `ok` when allowed, `limited` when refused, `abuse` when refusals have gone on too long. */
  take(cost = 1): "ok" | "limited" | "abuse" {
    const now = this.now();
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.last = now;
    this.tokens = Math.min(this.options.burst, this.tokens + elapsed * this.options.perSecond);
    if (this.tokens >= cost) {
      this.tokens -= cost;
      if (this.tokens >= this.options.burst - 1) this.refusedInRow = 0;
      return "ok";
    }
    this.refusedInRow += 1;
    return this.refusedInRow >= this.options.disconnectAfter ? "abuse" : "limited";
  }
}

/**
 * Token buckets by key (a player, an address): a bucket that has refilled to its burst is
 * forgotten (a new one is the same), a drained one is kept however long ago it was last used.
 */
export class KeyedBuckets {
  private readonly buckets = new Map<string, TokenBucket>();
  private touches = 0;

  /** One settings object for every bucket (a copy each would cost a connection 80 bytes). */
  private readonly options: RateLimitOptions;

  constructor(options: Omit<RateLimitOptions, "disconnectAfter"> & { disconnectAfter?: number }) {
    this.options = { disconnectAfter: Number.MAX_SAFE_INTEGER, ...options };
  }

  /** The key's bucket: every caller with that key draws from it. */
  get(key: string): TokenBucket {
    if (++this.touches % 1024 === 0) for (const [k, bucket] of this.buckets) if (bucket.isFull()) this.buckets.delete(k);
    let bucket = this.buckets.get(key);
    if (!bucket) this.buckets.set(key, (bucket = new TokenBucket(this.options)));
    return bucket;
  }

  /** Buckets held. */
  get size(): number {
    return this.buckets.size;
  }
}
