import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ballContinuity, inputDelays, type DrawnFrame, type TruthState } from "../bench/netcode/analyse.ts";
import { runPongPage } from "../bench/netcode/pong-page.ts";
import { FaultProxy } from "../harness/index.ts";
import { startServer, type InProcessServer } from "./support/servers.ts";

const CHROMIUM = "/usr/bin/chromium";

describe("the measures of drawn frames", () => {
  const view = (x: number, own: number): DrawnFrame["view"] => ({ ball: { x, y: 0.5 }, paddles: [own, 0.5], score: [0, 0] });
  const truth: TruthState[] = Array.from({ length: 40 }, (_, t) => ({ tick: t, view: view(0.1 + 0.01 * t, 0.5) }));

  it("count the frames from a key press to the paddle moving", () => {
    const frames: DrawnFrame[] = [0.5, 0.5, 0.5, 0.5, 0.52, 0.54].map((own, i) => ({ at: i * 16, tick: 10 + i / 2, view: view(0.2, own) }));
    expect(inputDelays(frames, [{ frameIndex: 2, dir: 1 }], 0)).toEqual({ frames: [2], missing: 0 });
    expect(inputDelays(frames, [{ frameIndex: 2, dir: -1 }], 0)).toEqual({ frames: [], missing: 1 });
  });

  it("find a ball that jumps further in a frame than twice its travel, and not one that moves at its speed", () => {
    // 30 ticks a second, 0.01 a tick: 0.3 a second, 0.0048 in 16 ms.
    const smooth: DrawnFrame[] = Array.from({ length: 30 }, (_, i) => ({ at: i * 16, tick: 5 + i * 0.48, view: view(0.1 + 0.01 * (5 + i * 0.48), 0.5) }));
    expect(ballContinuity(smooth, truth, 30)).toMatchObject({ jumps: 0, excluded: 0 });
    const jumped = smooth.map((f, i) => (i === 12 ? { ...f, view: view(f.view.ball.x + 0.02, 0.5) } : f));
    expect(ballContinuity(jumped, truth, 30).jumps).toBeGreaterThan(0);
  });

  it("leave out the frame after one extrapolated through a bounce the states had not shown yet", () => {
    // The ball turns at tick 20; a frame extrapolated 100 ms past tick 17 drew it still going out.
    const bouncing: TruthState[] = Array.from({ length: 40 }, (_, t) => ({ tick: t, view: view(t <= 20 ? 0.1 + 0.01 * t : 0.3 - 0.01 * (t - 20), 0.5) }));
    const extrapolated = { at: 0, tick: 20, view: view(0.3, 0.5), extrapolatedMs: 100 };
    const after = { at: 16, tick: 24.5, view: view(0.255, 0.5) };
    expect(ballContinuity([{ ...extrapolated, tick: 23.9, view: view(0.339, 0.5) }, after], bouncing, 30)).toMatchObject({ excluded: 1, jumps: 0 });
    const { extrapolatedMs: _blind, ...plain } = extrapolated;
    expect(ballContinuity([{ ...plain, tick: 23.9, view: view(0.339, 0.5) }, after], bouncing, 30)).toMatchObject({ jumps: 1 });
  });
});

/**
 * The page in headless Chromium plays pong through a proxy shaping the network as a far player's:
 * 40-60 ms each way (about 100 ms RTT, 20 ms of jitter), 1% of chunks held 200 ms more. `npm run
 * bench:netcode` measures the same with more presses and reports the numbers (bench/RESULTS.md).
 */
describe("netcode in the browser page, behind a shaped network", () => {
  let node: InProcessServer;
  let proxy: FaultProxy;
  let browser: Browser;
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (.ci/run does)`);
    node = await startServer({ ENGINE: "uws", MATCHMAKER_INTERVAL_MS: "20", PONG_POINTS: "1000" });
    proxy = await FaultProxy.start({ host: "127.0.0.1", port: Number(new URL(node.url).port) });
    proxy.shape({ latencyMs: 40, jitterMs: 20, spikeChance: 0.01, spikeMs: 200 });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--no-first-run"] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await node?.stop();
  });

  for (const predict of [true, false]) {
    it(`prediction ${predict ? "on: the own paddle moves on the frame its key is pressed" : "off: it moves only once the server's states show it"}; the drawn ball never jumps`, async () => {
      const run = await runPongPage({ browser, pageUrl: proxy.url("http"), directUrl: node.url, predict, presses: 5 });
      const delays = inputDelays(run.frames, run.presses, run.seat);
      expect(run.presses.length).toBe(5);
      expect(delays.missing).toBe(0);
      // Without prediction a press needs the round trip (about 100 ms, 6 frames at 60 Hz) before it shows.
      if (predict) expect(delays.frames).toEqual([0, 0, 0, 0, 0]);
      else for (const frames of delays.frames) expect(frames).toBeGreaterThanOrEqual(3);
      const ball = ballContinuity(run.frames, run.truth, run.tickRate);
      expect(ball.judged).toBeGreaterThan(100);
      expect(ball.jumps, JSON.stringify(ball)).toBe(0);
    }, 120_000);
  }
});
