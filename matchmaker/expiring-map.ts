/** What an `ExpiringMap` may hold at most, by a weight of each value (its bytes, say). */
export interface ExpiringBudget<V> {
  max: number;
  weigh: (value: V) => number;
}

/**
 * Entries that expire `ttlMs` (or their own lifetime) after they were added, for the memory store's
 * short-lived records. Expired entries are never read; they are pruned from the front of the
 * insertion order, so one that outlives the entries after it holds them (unreadable) until it goes.
 * With a budget, the oldest entries also go as soon as the total weight passes it.
 */
export class ExpiringMap<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number; weight: number }>();
  private weight = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly budget?: ExpiringBudget<V>,
  ) {}

  add(key: string, value: V, now: number, ttlMs = this.ttlMs): void {
    this.prune(now);
    this.delete(key);
    const weight = this.budget?.weigh(value) ?? 0;
    this.entries.set(key, { value, expiresAt: now + ttlMs, weight });
    this.weight += weight;
    if (!this.budget) return;
    for (const [oldest] of this.entries) {
      if (this.weight <= this.budget.max || oldest === key) return;
      this.delete(oldest);
    }
  }

  get(key: string, now: number): V | undefined {
    const entry = this.entries.get(key);
    return entry && entry.expiresAt > now ? entry.value : undefined;
  }

  delete(key: string): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.weight -= entry.weight;
    return this.entries.delete(key);
  }

  private prune(now: number): void {
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now) return;
      this.delete(key);
    }
  }
}
