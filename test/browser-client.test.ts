import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeBrowserBundle } from "../clients/browser/build.ts";
import { loadGames } from "../game-rooms/games/load-games.ts";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import { startServer, type InProcessServer } from "./support/servers.ts";
import { displayAfter } from "./support/ratings.ts";
import { writeReflexProject } from "./support/reflex-game.ts";

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

  /** What the pages' Content-Security-Policy refused (the page must need nothing it forbids). */
  const refused: string[] = [];
  afterEach(() => expect(refused).toEqual([]));
  const watchPolicy = (page: Page) => page.on("console", (m) => void (/Content Security Policy/i.test(m.text()) && refused.push(m.text())));

  /** A fresh page on the node's `/`: a page error throws, a CSP refusal is recorded. */
  async function newPage(): Promise<Page> {
    const page = await (await browser.newContext()).newPage();
    page.on("pageerror", (error) => {
      throw error;
    });
    watchPolicy(page);
    await page.goto(`${node.url}/`);
    return page;
  }

  async function open(name: string, game = "tictactoe"): Promise<Page> {
    const page = await newPage();
    await page.fill("#name", name);
    await page.selectOption("#game", game);
    await page.click("#play");
    return page;
  }

  async function enterLobby(name: string): Promise<Page> {
    const page = await newPage();
    await page.fill("#name", name);
    await page.selectOption("#game", "tictactoe");
    await page.click("#enter");
    await page.waitForSelector("#hall", { state: "visible" });
    return page;
  }

  it("the lobby page: who is online, lobby chat as text, a challenge accepted into a match, a rematch, and a private code", async () => {
    const ann = await enterLobby("Ann");
    const bob = await enterLobby("Bob");
    await ann.waitForSelector('#online li:has-text("Bob")');
    await bob.waitForSelector('#online li:has-text("Ann")');
    await bob.fill("#lobby-text", "<b>hello</b> Ann");
    await bob.press("#lobby-text", "Enter");
    await ann.waitForSelector('#lobby-log div:has-text("Bob: <b>hello</b> Ann")');
    expect(await ann.locator("#lobby-log b").count()).toBe(0);

    await ann.click('#online li:has-text("Bob") button.challenge');
    await bob.waitForSelector("#challenge-box", { state: "visible" });
    await expect(bob.textContent("#challenge-text")).resolves.toContain("Ann");
    await bob.click("#challenge-accept");
    for (const page of [ann, bob]) await page.waitForSelector("#ready-btn", { state: "visible" });
    await ann.click("#ready-btn");
    await bob.click("#ready-btn");
    for (const page of [ann, bob]) await page.waitForSelector("#match", { state: "visible" });
    await ann.click("#forfeit");
    for (const page of [ann, bob]) await page.waitForSelector("#result", { state: "visible" });
    await expect(bob.textContent("#result-text")).resolves.toContain("You won");
    await bob.click("#rematch");
    await ann.waitForSelector('#rematch-note:has-text("wants a rematch")');
    await ann.click("#rematch");
    for (const page of [ann, bob]) await page.waitForSelector("#ready-btn", { state: "visible" });
    await expect(ann.textContent("#opponent")).resolves.toContain("Bob");

    const cid = await enterLobby("Cid");
    const dee = await enterLobby("Dee");
    await cid.click("#code-create");
    await cid.waitForSelector('#code-shown:has-text("Your code")');
    await cid.waitForSelector('#online li:has-text("Dee")');
    await cid.screenshot({ path: `${OUT}/lobby.png` });
    const code = /Your code: (\w{6})/.exec((await cid.textContent("#code-shown")) ?? "")?.[1];
    expect(code).toMatch(/^[A-Z2-9]{6}$/);
    await dee.fill("#code-join", code!.toLowerCase());
    await dee.click("#code-join-btn");
    for (const page of [cid, dee]) await page.waitForSelector("#ready-btn", { state: "visible" });
    await expect(dee.textContent("#opponent")).resolves.toContain("Cid");
  }, 60_000);

  it("watching from the lobby page: a live match watched by a third page, then its replay played back from the history", async () => {
    const ann = await open("Ann");
    const bob = await open("Bob");
    for (const page of [ann, bob]) await page.waitForSelector("#ready-btn", { state: "visible" });
    await ann.click("#ready-btn");
    await bob.click("#ready-btn");
    for (const page of [ann, bob]) await page.waitForSelector("#match", { state: "visible" });
    const annIsX = (await ann.textContent("#you"))?.includes("X");
    const [x, o] = annIsX ? [ann, bob] : [bob, ann];
    const cid = await enterLobby("Cid");
    await cid.waitForSelector("#live li button.watch");
    await cid.click("#live li button.watch");
    await cid.waitForSelector("#watchbar", { state: "visible" });
    await expect(cid.textContent("#watch-title")).resolves.toContain("Watching");
    for (const [page, cell] of [
      [x, 0],
      [o, 3],
      [x, 1],
      [o, 4],
    ] as const) {
      await page.click(`.cell[data-cell="${cell}"]:not([disabled])`);
      await cid.waitForSelector(`.cell[data-cell="${cell}"]:text-matches("X|O")`);
    }
    expect(await cid.locator(".cell:not([disabled])").count()).toBe(0);
    await x.click('.cell[data-cell="2"]:not([disabled])');
    await cid.waitForSelector('#watch-note:has-text("Match over")');
    await x.waitForSelector("#result", { state: "visible" });
    await x.click("#back");
    await x.waitForSelector("#history button.replay");
    await x.click("#history button.replay");
    await x.waitForSelector("#replay-controls", { state: "visible" });
    await x.selectOption("#replay-speed", "4");
    // played back with the game's own rules, to the winning row
    await x.waitForSelector('.cell[data-cell="2"]:text("X")', { timeout: 10_000 });
    await expect(x.textContent("#watch-note")).resolves.toContain("win");
    await x.screenshot({ path: `${OUT}/replay.png` });
  }, 60_000);

  it("two pages queue, get matched, ready, play tictactoe to a win (one reloads mid-match), and both show the result", async () => {
    const alice = await open("Alice");
    const bob = await open("Bob");
    for (const page of [alice, bob]) await page.waitForSelector("#ready-btn", { state: "visible" });
    // the SDK measured the round trip to each region before queueing; the page shows it
    await expect(alice.textContent("#latencies")).resolves.toMatch(/^local \d+ ms$/);
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
    await expect(x.textContent("#result-rating")).resolves.toContain(String(displayAfter([1, 2])[0]));
    await expect(x.getAttribute("#conn", "data-status")).resolves.toBe("connected");
    await x.screenshot({ path: `${OUT}/winner.png`, fullPage: true });
    await o.screenshot({ path: `${OUT}/loser.png`, fullPage: true });
  }, 60_000);

  it("two pages play connect four, a plugin game, from its own renderer: discs fall to the bottom, four in a row wins", async () => {
    const ann = await open("Ann", "connect-four");
    const bob = await open("Bob", "connect-four");
    for (const page of [ann, bob]) await page.waitForSelector("#ready-btn", { state: "visible" });
    await ann.click("#ready-btn");
    await bob.click("#ready-btn");
    for (const page of [ann, bob]) await page.waitForSelector("#match", { state: "visible" });
    const annFirst = (await ann.textContent("#you"))?.includes("yellow");
    const [first, second] = annFirst ? [ann, bob] : [bob, ann];
    await expect(second.textContent("#you")).resolves.toContain("red");
    // Both drop into columns 0..2 (the second one's discs land on top); the first wins with column 3.
    for (const column of [0, 1, 2]) {
      for (const [page, row] of [
        [first, 5],
        [second, 4],
      ] as const) {
        await page.click(`.cell[data-column="${column}"]:not([disabled]) >> nth=0`);
        await first.waitForSelector(`.cell[data-cell="${row * 7 + column}"]:text("●")`);
      }
    }
    await first.click('.cell[data-column="3"]:not([disabled]) >> nth=0');
    for (const page of [first, second]) await page.waitForSelector("#result", { state: "visible" });
    await expect(first.textContent("#result-text")).resolves.toContain("You won");
    await expect(second.textContent("#result-text")).resolves.toContain("You lost");
    await first.screenshot({ path: `${OUT}/connect-four.png`, fullPage: true });
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

describe("a game without a renderer, in the page's generic view", () => {
  let node: InProcessServer | undefined;
  let browser: Browser | undefined;
  let project: Awaited<ReturnType<typeof writeReflexProject>> | undefined;
  beforeAll(async () => {
    project = await writeReflexProject();
    // The page's build step with GAMES naming reflex, as an operator runs it: its browser module is served from the files.
    const games = ["tictactoe", project.file];
    const pageDir = join(project.dir, "page");
    await writeBrowserBundle(
      pageDir,
      (await loadGames(games)).map((g) => ({ name: g.definition.name, ...g })),
    );
    node = await startServer({ ENGINE: "ws", MATCHMAKER_INTERVAL_MS: "30", REFLEX_SIGNAL_MIN_S: "0.5", REFLEX_SIGNAL_MAX_S: "1", PAGE_DIR: pageDir }, games);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--no-first-run"] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await node?.stop();
    await project?.remove();
  });

  it("two pages play reflex (loaded from outside the repository): its state as a table, its input as a form from its schema", async () => {
    const pages = await Promise.all(
      ["Ann", "Bob"].map(async (name) => {
        const page = await (await browser!.newContext()).newPage();
        page.on("pageerror", (error) => {
          throw error;
        });
        await page.goto(`${node!.url}/`);
        await page.fill("#name", name);
        await page.selectOption("#game", "reflex");
        await page.click("#play");
        return page;
      }),
    );
    const [ann, bob] = pages as [Page, Page];
    for (const page of pages) await page.waitForSelector("#ready-btn", { state: "visible" });
    for (const page of pages) await page.click("#ready-btn");
    for (const page of pages) await page.waitForSelector("#match", { state: "visible" });
    await expect(ann.textContent("#help")).resolves.toContain("no renderer");
    // The signal shows in the table; Ann presses with the form (a `press` field from the schema), Bob never does.
    await ann.waitForSelector('.generic-state tr:has(td:text-is("signal")) td:text-is("true")');
    await expect(ann.locator('.generic-input select[name="press"]').count()).resolves.toBe(1);
    await ann.click(".generic-input button");
    for (const page of pages) await page.waitForSelector("#result", { state: "visible" });
    await expect(ann.textContent("#result-text")).resolves.toContain("You won");
    await expect(bob.textContent("#result-text")).resolves.toContain("You lost");
  }, 60_000);
});
