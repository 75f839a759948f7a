import { performance } from "node:perf_hooks";
import { describe, expect, it } from "vitest";
import { JoinPairing } from "../matchmaker/join-pairing.ts";

const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

describe("join-time pairing attempts (a queue storm)", () => {
  it("run every attempt once, in arrival order, and let timers run between slices of a burst", async () => {
    const ran: string[] = [];
    let timerFiredAfter = -1;
    const done = new Promise<void>((resolve) => {
      const pairing = new JoinPairing((game, mode, ticketId) => {
        busy(0.2); // a pairing attempt's work
        ran.push(`${game}/${mode}/${ticketId}`);
        // A room's tick falls due while the burst runs: it must not wait for the whole burst (100 ms
        // of attempts), as it did behind one setImmediate per join, all run in one phase.
        if (ran.length === 1) setTimeout(() => (timerFiredAfter = ran.length), 0);
        if (ran.length === 500) resolve();
      });
      for (let i = 0; i < 500; i++) pairing.add("pong", "casual", `t${i}`);
    });
    await done;
    expect(ran).toEqual(Array.from({ length: 500 }, (_, i) => `pong/casual/t${i}`));
    expect(timerFiredAfter).toBeGreaterThanOrEqual(0);
    expect(timerFiredAfter).toBeLessThan(500);
  });

  it("starts again for joins that come after a burst was drained", async () => {
    const ran: string[] = [];
    const pairing = new JoinPairing((_game, _mode, ticketId) => ran.push(ticketId));
    pairing.add("pong", "casual", "a");
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    pairing.add("pong", "casual", "b");
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(ran).toEqual(["a", "b"]);
  });
});
