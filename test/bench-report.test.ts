import { existsSync } from "node:fs";
import { chromium } from "playwright-core";
import { describe, expect, it } from "vitest";
import { CURVE_PERCENTILES } from "../bench/histograms.ts";
import { page, percentileAxis, table } from "../bench/report/html.ts";
import { ratios } from "../bench/report/write.ts";
import type { StreamRun } from "../bench/measure.ts";

const CHROMIUM = "/usr/bin/chromium";

/** The bench's HTML report as an operator opens it: drawn in headless Chromium. */
describe("the bench's HTML report", () => {
  it("labels the percentile axis 0%, 50%, 90%, 99%, 99.9%... and its tables never widen the page", async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (.ci/run does)`);
    const wide = { ...Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`a-rather-long-column-name-${i}`, 123456.789])) };
    const html = page("report", "<p>test</p>", [
      {
        heading: "Runs",
        html: table([wide, wide]),
        charts: [
          {
            title: "state RTT",
            x: percentileAxis(),
            y: { label: "microseconds", log: true },
            series: [{ name: "uws", values: CURVE_PERCENTILES.map((p) => 100 + p * 10) }],
          },
        ],
      },
    ]);
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--no-first-run"] });
    try {
      const tab = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await tab.setContent(html);
      await tab.waitForFunction(() => (window as unknown as { charts?: { axes: { _values: unknown }[] }[] }).charts?.[0]?.axes[0]?._values);
      const labels = await tab.evaluate(() => (window as unknown as { charts: { axes: { _values: string[] }[] }[] }).charts[0]!.axes[0]!._values);
      expect(labels).toEqual(["0%", "50%", "90%", "99%", "99.9%", "99.99%", "99.999%"]);
      const widths = await tab.evaluate(() => ({ page: document.documentElement.scrollWidth, view: document.documentElement.clientWidth }));
      expect(widths.page).toBeLessThanOrEqual(widths.view);
    } finally {
      await browser.close();
    }
  }, 60_000);
});

describe("the bench's ratios against a baseline", () => {
  const run = (engine: string, repeat: number, cpu: number, lateP99: number) =>
    ({
      engine,
      players: 1000,
      repeat,
      serverCpuUsPerState: cpu,
      generatorCpuUsPerState: cpu / 2,
      rttUs: { p99: 10_000 },
      tickLatenessUs: { p99: lateP99 },
      bytesPerState: 200,
      allocatedBytesPerState: 3000,
    }) as unknown as StreamRun;

  it("with --repeat, pairs each run with the baseline of its own pass and reports the median with the lowest and highest", () => {
    // Pass 2's machine was slow for both: its runs are compared with each other, not with pass 1's.
    const arena = [run("uws", 1, 22, 5000), run("uws", 2, 44, 20_000), run("uws", 3, 21, 4000)];
    const floor = [run("raw-socketio", 1, 20, 5000), run("raw-socketio", 2, 40, 10_000), run("raw-socketio", 3, 20, 2000)];
    const out = ratios(arena, floor, []);
    expect(out["uws/raw-socketio serverCpuUsPerState"]).toBe(1.1);
    expect(out["uws/raw-socketio tickLatenessP99"]).toBe(2);
    expect(out["uws/raw-socketio tickLatenessP99 lowest"]).toBe(1);
    expect(out["uws/raw-socketio tickLatenessP99 highest"]).toBe(2);
    expect(out["uws/raw-socketio serverCpuUsPerState lowest"]).toBe(1.05);
  });

  it("without --repeat, one ratio per pair and no spread", () => {
    const out = ratios([run("uws", 1, 23, 6000)], [run("raw-socketio", 1, 20, 4000)], []);
    expect(out["uws/raw-socketio tickLatenessP99"]).toBe(1.5);
    expect(out["uws/raw-socketio tickLatenessP99 lowest"]).toBeUndefined();
  });
});
