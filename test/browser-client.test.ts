import { existsSync, mkdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import { startServer, type InProcessServer } from "./support/servers.ts";

const CHROMIUM = "/usr/bin/chromium";
const OUT = "test-output/browser";

describe("the browser client in headless Chromium", () => {
  let node: InProcessServer;
  let browser: Browser;
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (.ci/run does)`);
    mkdirSync(OUT, { recursive: true });
    node = await startServer({ ENGINE: "uws", MATCHMAKER_INTERVAL_MS: "30", PONG_POINTS: "2", PONG_BALL_SPEED: "1.5" });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await node?.stop();
  });

  async function open(name: string, game = "tictactoe"): Promise<Page> {
    const page = await (await browser.newContext()).newPage();
    page.on("pageerror", (error) => {
      throw error;
    });
    await page.goto(`${node.url}/`);
    await page.fill("#name", name);
    await page.selectOption("#game", game);
    await page.click("#play");
    return page;
  }

  it("two pages queue, get matched, ready, play tictactoe to a win (one reloads mid-match), and both show the result", async () => {
    const alice = await open("Alice");
    const bob = await open("Bob");
    for (const page of [alice, bob]) await page.waitForSelector("#ready-btn", { state: "visible" });
    await expect(alice.textContent("#opponent")).resolves.toContain("Bob");
    await alice.click("#ready-btn");
    await bob.click("#ready-btn");
    for (const page of [alice, bob]) await page.waitForSelector("#match", { state: "visible" });
    const aliceIsX = (await alice.textContent("#you"))?.includes("X");
    const [x, o] = aliceIsX ? [alice, bob] : [bob, alice];
    await expect(o.textContent("#you")).resolves.toContain("O");

    const move = async (page: Page, cell: number) => {
      await page.click(`.cell[data-cell="${cell}"]:not([disabled])`);
      await page.waitForSelector(`.cell[data-cell="${cell}"]:text-matches("X|O")`);
    };
    await move(x, 0);
    await move(o, 3);
    // O reloads mid-match: the tab keeps its identity and the seat is resumed with the full board.
    await o.reload();
    await o.waitForSelector("#match", { state: "visible" });
    await o.waitForSelector('.cell[data-cell="0"]:text("X")');
    await o.waitForSelector('.cell[data-cell="3"]:text("O")');
    await move(x, 1);
    await move(o, 4);
    // the winning move: the board gives way to the result at once
    await x.click('.cell[data-cell="2"]:not([disabled])');

    for (const page of [x, o]) await page.waitForSelector("#result", { state: "visible" });
    await expect(x.textContent("#result-text")).resolves.toContain("You won");
    await expect(o.textContent("#result-text")).resolves.toContain("You lost");
    await expect(x.textContent("#result-rating")).resolves.toContain("1216");
    await expect(x.getAttribute("#conn", "data-status")).resolves.toBe("connected");
    await x.screenshot({ path: `${OUT}/winner.png`, fullPage: true });
    await o.screenshot({ path: `${OUT}/loser.png`, fullPage: true });
  }, 60_000);

  it("two pages play pong on the canvas with the keyboard until one wins", async () => {
    const left = await open("Lefty", "pong");
    const right = await open("Righty", "pong");
    for (const page of [left, right]) await page.waitForSelector("#ready-btn", { state: "visible" });
    await left.click("#ready-btn");
    await right.click("#ready-btn");
    for (const page of [left, right]) await page.waitForSelector("#pong", { state: "visible" });
    await left.keyboard.down("ArrowDown");
    await left.waitForTimeout(400);
    await left.keyboard.up("ArrowDown");
    await left.screenshot({ path: `${OUT}/pong.png` });
    const score = await left.textContent("#turn");
    expect(score).toMatch(/^Score \d : \d$/);
    for (const page of [left, right]) await page.waitForSelector("#result", { state: "visible", timeout: 40_000 });
    const texts = await Promise.all([left, right].map((p) => p.textContent("#result-text")));
    expect(texts.sort()).toEqual(["You lost (win)", "You won (win)"]);
  }, 60_000);
});
