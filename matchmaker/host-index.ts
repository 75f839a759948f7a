import type { LapsedMatch, MatchRef } from "./types.ts";

/**
 * The memory store's hosts: each node's running matches as one set, and one lease per node, so a
 * host renews all its matches at once and a lapsed host's matches are taken in batches.
 */
export class HostIndex {
  private readonly until = new Map<string, number>();
  private readonly hosted = new Map<string, Map<string, MatchRef>>();
  /** Matches taken from lapsed hosts and not ended yet: handed out again when `due`. */
  private readonly reaping = new Map<string, { match: LapsedMatch; due: number }>();

  constructor(private readonly retryMs = 5000) {}

  /** The match runs on `node`; the node's lease runs at least until `until`. */
  add(node: string, ref: MatchRef, until: number): void {
    let matches = this.hosted.get(node);
    if (!matches) this.hosted.set(node, (matches = new Map()));
    matches.set(ref.matchId, ref);
    this.reaping.delete(ref.matchId);
    this.until.set(node, Math.max(until, this.until.get(node) ?? -Infinity));
  }

  remove(node: string, matchId: string): void {
    this.hosted.get(node)?.delete(matchId);
    this.reaping.delete(matchId);
  }

  /** The matches in a node's set. */
  of(node: string): MatchRef[] {
    return [...(this.hosted.get(node)?.values() ?? [])];
  }

  renew(node: string, until: number): void {
    this.until.set(node, until);
  }

  /** Removes and returns up to `limit` matches of nodes whose lease ran out by `now`. */
  claimLapsed(now: number, limit: number): LapsedMatch[] {
    const claimed: LapsedMatch[] = [];
    for (const entry of this.reaping.values()) {
      if (claimed.length >= limit) return claimed;
      if (entry.due > now) continue;
      entry.due = now + this.retryMs;
      claimed.push(entry.match);
    }
    for (const [node, until] of this.until) {
      if (until > now) continue;
      const matches = this.hosted.get(node);
      for (const [matchId, ref] of matches ?? []) {
        if (claimed.length >= limit) return claimed;
        matches!.delete(matchId);
        const match = { ...ref, host: node };
        this.reaping.set(matchId, { match, due: now + this.retryMs });
        claimed.push(match);
      }
      if (!matches?.size) {
        this.until.delete(node);
        this.hosted.delete(node);
      }
    }
    return claimed;
  }
}
