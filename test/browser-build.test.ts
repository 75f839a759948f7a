import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeBrowserBundle } from "../clients/browser/build.ts";
import { startServer, type InProcessServer } from "./support/servers.ts";

describe("the browser bundle", () => {
  let dir = "";
  let node: InProcessServer | undefined;
  afterAll(async () => {
    await node?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("npm run build writes the page and one bundled script (the SDK and socket.io-client inside)", async () => {
    dir = await mkdtemp(join(tmpdir(), "arena-bundle-"));
    await writeBrowserBundle(dir);
    const html = await readFile(join(dir, "index.html"), "utf8");
    const js = await readFile(join(dir, "app.js"), "utf8");
    expect(html).toContain('src="/app.js"');
    expect(js).not.toMatch(/^\s*import\s/m);
    expect(js).toContain("state:ack");
    expect(js.length).toBeGreaterThan(20_000);
  });

  it("a server whose page was never built says so: 503 with the command that builds it", async () => {
    const empty = await mkdtemp(join(tmpdir(), "arena-no-page-"));
    const bare = await startServer({ ENGINE: "ws", PAGE_DIR: empty });
    try {
      for (const path of ["/", "/app.js", "/games/pong.js"]) {
        const response = await fetch(`${bare.url}${path}`);
        expect(response.status).toBe(503);
        expect(await response.json()).toEqual({ error: { code: "UNAVAILABLE", message: `the browser page is not built in ${empty}: run npm run build:page` } });
      }
    } finally {
      await bare.stop();
      await rm(empty, { recursive: true, force: true });
    }
  });

  it("the server serves the page and its bundled script", async () => {
    node = await startServer({ ENGINE: "ws" });
    const page = await fetch(`${node.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('src="/app.js"');
    const script = await fetch(`${node.url}/app.js`);
    expect(script.headers.get("content-type")).toContain("javascript");
    expect(await script.text()).toContain("state:ack");
  });
});
