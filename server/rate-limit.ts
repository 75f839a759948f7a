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
