/**
 * Entries that expire `ttlMs` (or their own lifetime) after they were added, for the memory store's
 * short-lived records. Expired entries are never read; they are pruned from the front of the
 * insertion order, so one that outlives the entries after it holds them (unreadable) until it goes.
 */
export class ExpiringMap<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();

  constructor(private readonly ttlMs: number) {}

  add(key: string, value: V, now: number, ttlMs = this.ttlMs): void {
    this.prune(now);
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: now + ttlMs });
  }

  get(key: string, now: number): V | undefined {
    const entry = this.entries.get(key);
    return entry && entry.expiresAt > now ? entry.value : undefined;
  }

  delete(key: string): boolean {
    return this.entries.delete(key);
  }

  private prune(now: number): void {
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now) return;
      this.entries.delete(key);
    }
  }
}
