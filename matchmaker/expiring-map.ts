/**
 * Entries that expire `ttlMs` after they were added, for the memory store's short-lived records.
 * Entries are kept in insertion order, so expired ones are pruned from the front in O(1) each.
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
