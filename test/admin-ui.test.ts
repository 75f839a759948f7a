import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import { closeAllClients, connectGuest } from "./support/clients.ts";
import { startServer, type InProcessServer } from "./support/servers.ts";

const CHROMIUM = "/usr/bin/chromium";
const PASSWORD = "correct-horse-battery-staple";

describe("the Socket.IO Admin UI at /admin/ (ADMIN_PASSWORD set)", () => {
  let node: InProcessServer;
  let browser: Browser;
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (npm test does as root)`);
    // development mode: the UI lists each socket (the default, production, shows counts only)
    node = await startServer({ ENGINE: "uws", ADMIN_PASSWORD: PASSWORD, ADMIN_MODE: "development" });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--no-first-run"] });
  }, 60_000);
  afterAll(async () => {
    closeAllClients();
    await browser?.close();
    await node?.stop();
  });

  /** The admin page, recording every request to another origin. */
  async function adminPage(elsewhere: string[]): Promise<Page> {
    const page = await (await browser.newContext()).newPage();
    page.on("request", (r) => void (!r.url().startsWith(node.url) && elsewhere.push(r.url())));
    await page.goto(`${node.url}/admin/`);
    return page;
  }

  async function logIn(page: Page, password: string): Promise<void> {
    await page.getByLabel("Server URL").fill(node.url);
    await page.getByLabel("Username").fill("admin");
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Connect" }).click();
  }

  it("logs in and shows a connected player's socket, loading nothing from elsewhere", async () => {
    const { socket } = await connectGuest(node.url, "pong", "Watched");
    const elsewhere: string[] = [];
    const page = await adminPage(elsewhere);
    await logIn(page, PASSWORD);
    await page
      .getByText(/^\s*connected\s*$/i)
      .first()
      .waitFor({ timeout: 10_000 });
    await page.getByText("Sockets", { exact: true }).first().click();
    // The game's namespace, in the UI's namespace picker.
    await page.getByRole("button", { name: /Select namespace/ }).click();
    await page.getByRole("option", { name: "/pong" }).click();
    await page
      .getByText(socket.id!)
      .first()
      .waitFor({ timeout: 10_000 })
      .catch(async (error: Error) => {
        await page.screenshot({ path: "test-output/admin-ui.png" });
        throw error;
      });
    expect(elsewhere).toEqual([]);
  }, 60_000);

  it("refuses a wrong password", async () => {
    const page = await adminPage([]);
    await logIn(page, "not-the-password");
    await page.getByText("Invalid credentials", { exact: false }).waitFor({ timeout: 10_000 });
    expect(await page.getByText(/^\s*connected\s*$/i).count()).toBe(0);
  }, 60_000);
});

describe("without ADMIN_PASSWORD", () => {
  it("has no admin UI and no admin namespace", async () => {
    const node = await startServer({ ENGINE: "ws" });
    try {
      expect((await fetch(`${node.url}/admin/`)).status).toBe(404);
      expect(node.server.io._nsps.has("/admin")).toBe(false);
    } finally {
      await node.stop();
    }
  });
});
