import { describe, expect, it } from "vitest";
import { TickScheduler } from "../game-rooms/index.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Consecutive deadlines a whole number of periods apart: one, unless a stalled machine made the phase skip ahead. */
function expectOnGrid(deadlines: number[], period: number): void {
  for (let i = 1; i < deadlines.length; i++) {
    const periods = (deadlines[i]! - deadlines[i - 1]!) / period;
    expect(periods).toBeGreaterThanOrEqual(1 - 1e-9);
    expect(Math.abs(periods - Math.round(periods))).toBeLessThan(1e-6);
  }
}

describe("tick scheduler", () => {
  it("spreads a lane's rooms over the period, each on its own exact period", async () => {
    const scheduler = new TickScheduler();
    const ticks: number[][] = Array.from({ length: 16 }, () => []);
    const members = ticks.map((list) => ({ onTick: (deadline: number) => void list.push(deadline) }));
    for (const member of members) scheduler.add(member, 30);
    await sleep(500);
    scheduler.stop();
    const period = 1000 / 30;
    for (const list of ticks) {
      expect(list.length).toBeGreaterThan(8);
      expectOnGrid(list, period);
    }
    // The rooms do not all wait for one deadline: their phases lie at distinct points of the period.
    const phases = new Set(ticks.map((list) => Math.round(((((list[0]! - ticks[0]![0]!) % period) + period) % period) * 1000)));
    expect(phases.size).toBe(16);
    const offsets = [...phases].map((p) => p / 1000).sort((a, b) => a - b);
    expect(offsets.at(-1)! - offsets[0]!).toBeGreaterThan(period / 2);
  });

  it("keeps one lane per tick rate and stops a removed member at once", async () => {
    const scheduler = new TickScheduler();
    const fast: number[] = [];
    const slow: number[] = [];
    const a = { onTick: (deadline: number) => void fast.push(deadline) };
    scheduler.add(a, 50);
    scheduler.add({ onTick: (deadline: number) => void slow.push(deadline) }, 20);
    await sleep(400);
    scheduler.remove(a);
    const count = fast.length;
    await sleep(150);
    scheduler.stop();
    expectOnGrid(fast, 20);
    expectOnGrid(slow, 50);
    expect(fast.length).toBe(count);
    expect(count).toBeGreaterThan(12);
    expect(slow.length).toBeGreaterThan(8);
  });

  it("records each member's lateness when its tick finished, and a pass's lateness when it began", async () => {
    const passes: number[] = [];
    const members: number[] = [];
    const scheduler = new TickScheduler({ onLateness: (ms) => passes.push(ms), onMemberLateness: (ms) => members.push(ms) });
    const busy = {
      onTick: () => {
        const until = performance.now() + 3;
        while (performance.now() < until);
      },
    };
    scheduler.add(busy, 50);
    await sleep(200);
    scheduler.stop();
    // 200 ms at 50 Hz is 10 deadlines (11 with the one at the start): never more passes than that
    expect(passes.length).toBeGreaterThan(3);
    expect(passes.length).toBeLessThanOrEqual(11);
    expect(members.length).toBe(passes.length);
    // A member's tick that takes 3 ms finishes 3 ms after its pass began, which is at most half a
    // millisecond before the deadline (timers fire early; waiting out the rest would cost more).
    members.forEach((late, i) => expect(late - passes[i]!).toBeGreaterThanOrEqual(2.5));
    for (const late of members) expect(late).toBeGreaterThanOrEqual(2.5);
    // and the passes start on time, give or take a noisy machine: the median within a period
    const sorted = [...passes].sort((x, y) => x - y);
    expect(sorted[Math.floor(sorted.length / 2)]!).toBeLessThan(20);
  });

  it("reads at cycle boundaries: every pass due before one has run, none due after it", async () => {
    // A loaded machine can make a phase fall behind and skip ticks: counted, so the check stays exact.
    let skipped = 0;
    const scheduler = new TickScheduler({ onSkip: () => void skipped++ });
    const period = 1000 / 30;
    const deadlines: number[] = [];
    const byMember: number[][] = [];
    for (let i = 0; i < 16; i++) {
      const mine: number[] = [];
      byMember.push(mine);
      scheduler.add(
        {
          onTick: (deadline: number) => {
            deadlines.push(deadline);
            mine.push(deadline);
          },
        },
        30,
      );
    }
    const boundary = () =>
      new Promise<{ at: number; passes: number }>((resolve) => scheduler.atCycleBoundary(30, (at) => resolve({ at, passes: deadlines.length })));
    const first = await boundary();
    await sleep(200);
    const second = await boundary();
    scheduler.stop();
    const periods = Math.round((second.at - first.at) / period);
    expect(Math.abs((second.at - first.at) / period - periods)).toBeLessThan(1e-6);
    // Whole periods between two readings: each of the 16 members ticked once per period, or skipped
    // whole periods when its phase fell behind (then its deadlines jump by whole periods).
    if (skipped === 0) expect(second.passes - first.passes).toBe(16 * periods);
    for (const mine of byMember) {
      const inWindow = mine.filter((d) => d >= first.at && d < second.at);
      const covered = inWindow.slice(1).reduce((n, d, i) => n + Math.round((d - inWindow[i]!) / period), inWindow.length ? 1 : 0);
      expect(covered).toBeLessThanOrEqual(periods);
      expect(covered).toBeGreaterThanOrEqual(periods - 1);
    }
    expect(deadlines.slice(first.passes, second.passes).every((d) => d >= first.at && d < second.at)).toBe(true);
    // No lane at that rate: answered at once.
    expect(await new Promise((resolve) => scheduler.atCycleBoundary(99, resolve))).toBeNaN();
  });

  it("keeps ticking when a member throws", async () => {
    const errors: unknown[] = [];
    const scheduler = new TickScheduler({ onError: (error) => errors.push(error) });
    let ticks = 0;
    scheduler.add(
      {
        onTick: () => {
          throw new Error("boom");
        },
      },
      100,
    );
    scheduler.add({ onTick: () => void ticks++ }, 100);
    await sleep(150);
    scheduler.stop();
    expect(errors.length).toBeGreaterThan(3);
    expect(Math.abs(ticks - errors.length)).toBeLessThanOrEqual(1);
  });
});
