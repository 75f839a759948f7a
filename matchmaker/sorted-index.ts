/** An entry of a sorted index: ordered by score, then by id (as Redis orders a sorted set). */
export interface IndexEntry {
  score: number;
  id: string;
}

function before(a: IndexEntry, b: IndexEntry): boolean {
  return a.score < b.score || (a.score === b.score && a.id < b.id);
}

/** A small sorted set for the in-memory store: binary search, ordered ranges, O(n) insert. */
export class SortedIndex {
  private readonly entries: IndexEntry[] = [];

  get size(): number {
    return this.entries.length;
  }

  private lowerBound(entry: IndexEntry): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(this.entries[mid]!, entry)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  add(score: number, id: string): void {
    this.entries.splice(this.lowerBound({ score, id }), 0, { score, id });
  }

  remove(score: number, id: string): boolean {
    const at = this.lowerBound({ score, id });
    const found = this.entries[at];
    if (!found || found.id !== id || found.score !== score) return false;
    this.entries.splice(at, 1);
    return true;
  }

  /** The first `limit` ids in order. */
  first(limit: number): string[] {
    return this.entries.slice(0, limit).map((e) => e.id);
  }

  /** Ids with min <= score <= max, ascending, at most `limit` (ZRANGEBYSCORE … LIMIT 0 limit). */
  rangeUp(min: number, max: number, limit: number): string[] {
    const out: string[] = [];
    for (let i = this.lowerBound({ score: min, id: "" }); i < this.entries.length && out.length < limit; i++) {
      const entry = this.entries[i]!;
      if (entry.score > max) break;
      out.push(entry.id);
    }
    return out;
  }

  /** Ids with min <= score <= max, descending, at most `limit` (ZREVRANGEBYSCORE max min LIMIT 0 limit). */
  rangeDown(max: number, min: number, limit: number): string[] {
    const out: string[] = [];
    let i = this.lowerBound({ score: max, id: "" });
    while (i < this.entries.length && this.entries[i]!.score === max) i++;
    for (i -= 1; i >= 0 && out.length < limit; i--) {
      const entry = this.entries[i]!;
      if (entry.score < min) break;
      out.push(entry.id);
    }
    return out;
  }
}
