import { describe, expect, it } from "vitest";
import { TickScheduler } from "../game-rooms/index.ts";

describe("tick scheduler", () => {
  it("ticks on absolute deadlines (start + n * period), one lane per tick rate, and records lateness", async () => {
    const lateness: number[] = [];
    const scheduler = new TickScheduler({ onLateness: (ms) => lateness.push(ms) });
    const fast: number[] = [];
    const slow: number[] = [];
    const a = { onTick: (deadline: number) => fast.push(deadline) };
    const b = { onTick: (deadline: number) => fast.push(deadline) };
    const c = { onTick: (deadline: number) => slow.push(deadline) };
    scheduler.add(a, 50);
    scheduler.add(b, 50);
    scheduler.add(c, 20);
    await new Promise((resolve) => setTimeout(resolve, 400));
    scheduler.remove(b);
    await new Promise((resolve) => setTimeout(resolve, 200));
    scheduler.stop();
    const distinct = [...new Set(fast)];
    expect(distinct.length).toBeGreaterThan(10);
    // both members of a lane get the same deadline; deadlines lie on the lane's grid: a whole number
    // of periods apart (one, unless a stalled machine made the lane skip ahead)
    const onGrid = (deadlines: number[], period: number) => {
      for (let i = 1; i < deadlines.length; i++) {
        const periods = (deadlines[i]! - deadlines[i - 1]!) / period;
        expect(periods).toBeGreaterThanOrEqual(1 - 1e-9);
        expect(Math.abs(periods - Math.round(periods))).toBeLessThan(1e-6);
      }
    };
    onGrid(distinct, 20);
    onGrid(slow, 50);
    expect(fast.length).toBeGreaterThan(distinct.length);
    expect(lateness.every((ms) => ms >= 0)).toBe(true);
    const count = fast.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fast.length).toBe(count);
  });

  it("keeps ticking when a member throws", async () => {
    const errors: unknown[] = [];
    const scheduler = new TickScheduler({ onError: (error) => errors.push(error) });
    let ticks = 0;
    scheduler.add({ onTick: () => { throw new Error("boom"); } }, 100);
    scheduler.add({ onTick: () => void ticks++ }, 100);
    await new Promise((resolve) => setTimeout(resolve, 150));
    scheduler.stop();
    expect(errors.length).toBeGreaterThan(3);
    expect(ticks).toBe(errors.length);
  });
});
