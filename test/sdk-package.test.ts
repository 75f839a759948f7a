import { execFile } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type InProcessServer } from "./support/servers.ts";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SDK = join(ROOT, "clients/sdk");
const FIXTURE = join(ROOT, "test/support/sdk-package");
const TSC = join(ROOT, "node_modules/typescript/bin/tsc");

/**
 * The SDK as a package: built, packed with `npm pack`, installed into a scratch project outside the
 * checkout (its dependencies from npm's cache, as `npm install` left them), then used from Node and
 * from the browser bundle in headless Chromium to play a match against a real node.
 */
describe("the SDK package", () => {
  let node: InProcessServer;
  let scratch: string;
  beforeAll(async () => {
    node = await startServer({ ENGINE: "uws", MATCHMAKER_INTERVAL_MS: "20" });
    await run(process.execPath, ["--import", "tsx", join(SDK, "build.ts")], { cwd: ROOT });
    scratch = mkdtempSync(join(tmpdir(), "arena-sdk-scratch-"));
    const { stdout } = await run("npm", ["pack", "--pack-destination", scratch], { cwd: SDK });
    const tarball = join(scratch, stdout.trim().split("\n").pop()!);
    writeFileSync(join(scratch, "package.json"), JSON.stringify({ name: "scratch", private: true, type: "module" }));
    await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball], { cwd: scratch });
    for (const file of readdirSync(FIXTURE)) cpSync(join(FIXTURE, file), join(scratch, file));
  }, 240_000);
  afterAll(async () => {
    await node?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it("holds only its build, with ESM, declarations and a browser bundle, and depends on no part of the server", () => {
    const manifest = JSON.parse(readFileSync(join(scratch, "node_modules/arena-sdk/package.json"), "utf8"));
    expect(Object.keys(manifest.dependencies).sort()).toEqual(["socket.io-client", "zod"]);
    for (const file of ["dist/index.js", "dist/arena-sdk.browser.js", "dist/types/clients/sdk/index.d.ts"])
      expect(existsSync(join(scratch, "node_modules/arena-sdk", file)), file).toBe(true);
    expect(existsSync(join(scratch, "node_modules/arena-sdk/index.ts"))).toBe(false);
  });

  it("type-checks a program that uses it: a game's input and view types flow to the client", async () => {
    // typed.ts holds @ts-expect-error lines: were the types lost (any), they would be errors themselves.
    await expect(run(process.execPath, [TSC, "-p", join(scratch, "tsconfig.json")], { cwd: scratch })).resolves.toBeDefined();
  }, 120_000);

  it("plays a match from Node", async () => {
    const { stdout } = await run(process.execPath, [join(scratch, "play.mjs"), node.url], { cwd: scratch, timeout: 120_000 });
    const end = JSON.parse(stdout.trim());
    expect(end.reason).toBe("win");
    expect(end.clockSynced).toBe(true);
  }, 150_000);

  it("plays a match from the browser bundle in headless Chromium", async () => {
    const after: (() => Promise<void>)[] = [];
    const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: ["--no-sandbox", "--disable-gpu", "--no-first-run"] });
    try {
      const page = await browser.newPage();
      // The page and its modules come from another origin than the node's (another port), as from a game's own site.
      const files: Record<string, [string, string]> = {
        "/index.html": ["text/html", join(scratch, "index.html")],
        "/play-match.mjs": ["text/javascript", join(scratch, "play-match.mjs")],
        "/arena-sdk.browser.js": ["text/javascript", join(scratch, "node_modules/arena-sdk/dist/arena-sdk.browser.js")],
      };
      const site = createServer((req, res) => {
        const file = files[new URL(req.url ?? "/", "http://x").pathname];
        if (!file) return void res.writeHead(404).end();
        res.writeHead(200, { "content-type": file[0] }).end(readFileSync(file[1]));
      });
      await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
      after.push(() => new Promise<void>((resolve) => site.close(() => resolve())));
      const origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
      await page.goto(`${origin}/index.html?server=${encodeURIComponent(node.url)}`);
      const result = await page.evaluate(() => (window as unknown as { result: Promise<string> }).result);
      const end = JSON.parse(result);
      expect(end.reason).toBe("win");
      expect(end.clockSynced).toBe(true);
    } finally {
      await browser.close();
      for (const close of after) await close();
    }
  }, 150_000);
});
