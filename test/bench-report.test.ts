import { existsSync } from "node:fs";
import { chromium } from "playwright-core";
import { describe, expect, it } from "vitest";
import { CURVE_PERCENTILES } from "../bench/histograms.ts";
import { page, percentileAxis, table } from "../bench/report/html.ts";

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
