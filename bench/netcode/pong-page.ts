import type { Browser } from "playwright-core";
import { connect, fetchGuestToken, type NetStats } from "../../clients/sdk/index.ts";
import type { DrawnFrame, KeyPress, TruthState } from "./analyse.ts";

export interface PongPageRun {
  seat: 0 | 1;
  tickRate: number;
  frames: DrawnFrame[];
  presses: KeyPress[];
  truth: TruthState[];
  /** The page's netcode overlay (`?debug`) at the end: RTT, clock offset, delay, corrections. */
  overlay: string;
  /** The page client's `netStats()` at its last frame. */
  netStats: NetStats | undefined;
}

type PongView = DrawnFrame["view"];

/**
 * One pong match: the browser page (at `pageUrl`, e.g. through a shaping proxy) against a still
 * opponent, an SDK client on `directUrl` whose states are the truth. The page records every frame it
 * draws (`?record`); the run presses the arrow keys `presses` times, each held for 20 frames, and
 * waits on drawn frames (never on the clock) between them.
 */
export async function runPongPage(options: { browser: Browser; pageUrl: string; directUrl: string; predict: boolean; presses: number }): Promise<PongPageRun> {
  const guest = await fetchGuestToken(options.directUrl, "Still");
  const opponent = connect<{ input: { dir: -1 | 0 | 1 }; view: PongView }>({ url: options.directUrl, game: "pong", token: guest.token, autoReady: true });
  const truth: TruthState[] = [];
  opponent.on("state", (s) => truth.push({ tick: s.tick, view: s.state }));
  await opponent.connected();
  const context = await options.browser.newContext();
  const page = await context.newPage();
  try {
    page.on("pageerror", (error) => {
      throw error;
    });
    // Each press notes how many frames had been drawn when it came (its listener runs before the page's).
    await page.addInitScript(() => {
      const w = window as unknown as { arenaKeys: { frameIndex: number; code: string }[]; arenaFrames?: unknown[] };
      w.arenaKeys = [];
      addEventListener("keydown", (e) => !e.repeat && w.arenaKeys.push({ frameIndex: w.arenaFrames?.length ?? 0, code: e.code }), { capture: true });
    });
    await page.goto(`${options.pageUrl}/?record&debug${options.predict ? "" : "&predict=off"}`);
    await page.fill("#name", options.predict ? "Predicted" : "Unpredicted");
    await page.selectOption("#game", "pong");
    await page.click("#play");
    await page.waitForSelector("#queue", { state: "visible", timeout: 60_000 });
    await opponent.queue({ latencies: false });
    await page.waitForSelector("#ready-btn", { state: "visible", timeout: 60_000 });
    await page.click("#ready-btn");
    await page.waitForSelector("#match", { state: "visible", timeout: 60_000 });
    const framesNow = () => page.evaluate(() => (window as unknown as { arenaFrames: unknown[] }).arenaFrames.length);
    const waitFrames = async (count: number) => {
      const target = (await framesNow()) + count;
      await page.waitForFunction((n) => (window as unknown as { arenaFrames: unknown[] }).arenaFrames.length >= n, target, { timeout: 60_000, polling: "raf" });
    };
    // The clock synced and the buffer filled.
    await waitFrames(90);
    const seat = opponent.seat === 0 ? 1 : 0;
    for (let i = 0; i < options.presses; i++) {
      const own = await page.evaluate((s) => {
        const frames = (window as unknown as { arenaFrames: { view: PongView }[] }).arenaFrames;
        return frames[frames.length - 1]!.view.paddles[s] ?? 0.5;
      }, seat);
      // Towards the middle: a paddle at a wall would not move.
      const key = own < 0.5 ? "ArrowDown" : "ArrowUp";
      await page.keyboard.down(key);
      await waitFrames(20);
      await page.keyboard.up(key);
      await waitFrames(30);
    }
    const recorded = await page.evaluate(() => {
      const w = window as unknown as { arenaFrames: DrawnFrame[]; arenaKeys: { frameIndex: number; code: string }[] };
      const stats = (window as unknown as { arenaNetStats?: NetStats }).arenaNetStats;
      return { frames: w.arenaFrames, keys: w.arenaKeys, overlay: document.getElementById("netdebug")?.textContent ?? "", stats };
    });
    const presses: KeyPress[] = recorded.keys
      .filter((k) => k.code === "ArrowDown" || k.code === "ArrowUp")
      .map((k) => ({ frameIndex: k.frameIndex, dir: k.code === "ArrowDown" ? 1 : -1 }));
    return { seat, tickRate: opponent.tickRate, frames: recorded.frames, presses, truth, overlay: recorded.overlay, netStats: recorded.stats };
  } finally {
    await opponent.forfeit().catch(() => undefined);
    opponent.close();
    await context.close();
  }
}
