/**
 * A set of strings kept in order, for the memory store's lobby: pages after a cursor in O(log n +
 * page), as Redis's ZRANGEBYLEX does on a sorted set of equal scores. Insert and delete are O(n)
 * moves of a flat array: fine for the tens of thousands of players one node holds.
 */
export class LexSet {
  private readonly items: string[] = [];
  private readonly members = new Set<string>();

  get size(): number {
    return this.items.length;
  }

  private lowerBound(value: string): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.items[mid]! < value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  add(value: string): void {
    if (this.members.has(value)) return;
    this.members.add(value);
    this.items.splice(this.lowerBound(value), 0, value);
  }

  delete(value: string): void {
    if (!this.members.delete(value)) return;
    this.items.splice(this.lowerBound(value), 1);
  }

  /** Up to `limit` members after `after` ('' for the first), in order. */
  after(after: string, limit: number): string[] {
    let at = this.lowerBound(after);
    if (this.items[at] === after) at++;
    return this.items.slice(at, at + limit);
  }
}
