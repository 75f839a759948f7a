import { afterEach, describe, expect, it, vi } from "vitest";
import { PlayerBudgets } from "../server/edge/player-budgets.ts";

afterEach(() => vi.useRealTimers());

describe("a player's event budget", () => {
  it("stays drained however many other players connect in between, and is forgotten once refilled", () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const budgets = new PlayerBudgets({ perSecond: 1, burst: 4, disconnectAfter: 1_000_000 });
    // Ann connects once and her connection keeps taking from the bucket it was handed
    const ann = budgets.bucket("pong", "ann");
    for (let second = 0; second < 30; second++) {
      while (ann.take() === "ok");
      vi.advanceTimersByTime(1000);
    }
    // thousands of other players connect (each draws a bucket, which prunes now and then)
    for (let i = 0; i < 5000; i++) budgets.bucket("pong", `p${i}`);
    // Ann reconnects: the same drained bucket, not a fresh one
    const again = budgets.bucket("pong", "ann");
    expect(again).toBe(ann);
    expect(again.take()).toBe("ok"); // the one token of the last second
    expect(again.take()).toBe("limited");
    // buckets that refilled are dropped at the next prune: only Ann's (drained) is left
    vi.advanceTimersByTime(2000);
    for (let i = 0; i < 1024; i++) budgets.bucket("pong", `q${i % 2}`);
    expect(budgets.size).toBeLessThanOrEqual(3);
    expect(budgets.bucket("pong", "ann")).toBe(ann);
  });
});
