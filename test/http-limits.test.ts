import { request as httpRequest } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { eventually } from "./support/clients.ts";
import { ENGINES, spawnNode, type ChildNode } from "./support/servers.ts";

/** GET from a chosen loopback address: the status. */
function get(url: string, from = "127.0.0.1"): Promise<{ status: number; retryAfter?: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { localAddress: from });
    req.on("response", (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers["retry-after"] as string | undefined }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe.each(ENGINES)("HTTP limits on %s", (engine) => {
  let node: ChildNode | undefined;
  afterEach(async () => {
    await node?.kill();
    node = undefined;
  });

  it("the pages and watching routes are limited per client address; health, readiness and ping are not", async () => {
    node = await spawnNode({ ENGINE: engine, HTTP_READS_PER_MINUTE: "6" });
    const { url } = node;
    const routes = ["/v1/matches?game=pong", "/v1/leaderboard?game=pong", "/v1/players/g_0123/matches?game=pong", "/v1/matches/m_x/replay", "/", "/app.js"];
    const statuses = [];
    for (const route of routes) statuses.push((await get(`${url}${route}`, "127.0.0.2")).status);
    expect(statuses).toEqual([200, 200, 200, 404, 200, 200]);
    for (const route of routes) expect(await get(`${url}${route}`, "127.0.0.2")).toEqual({ status: 429, retryAfter: "60" });
    for (const route of ["/healthz", "/readyz", "/v1/ping", "/v1/games"]) expect((await get(`${url}${route}`, "127.0.0.2")).status).toBeLessThan(300);
    // another address has its own budget
    expect((await get(`${url}/v1/leaderboard?game=pong`, "127.0.0.3")).status).toBe(200);
    // The node's log comes through a pipe, after what the client saw: waited for.
    await eventually(
      () => node!.logs.some((l) => l.msg === "HTTP request refused: too many from this address" && l.address === "127.0.0.2"),
      10_000,
      "the refusal logged",
    );
  });

  it("caps limit at 100, and answers a malformed % escape in a path with 400", async () => {
    node = await spawnNode({ ENGINE: engine });
    const { url } = node;
    expect((await get(`${url}/v1/matches?game=pong&limit=100`)).status).toBe(200);
    expect((await get(`${url}/v1/matches?game=pong&limit=101`)).status).toBe(400);
    expect((await get(`${url}/v1/leaderboard?game=pong&limit=100`)).status).toBe(200);
    expect((await get(`${url}/v1/leaderboard?game=pong&limit=101`)).status).toBe(400);
    for (const path of ["/v1/matches/%E0%A4%A/replay", "/v1/matches/%/replay", "/v1/players/%zz/matches?game=pong"])
      expect((await get(`${url}${path}`)).status).toBe(400);
  });
});
