import { afterEach, describe, expect, it } from "vitest";
import { request as httpRequest } from "node:http";
import { loadConfig } from "../server/index.ts";
import { eventually } from "./support/clients.ts";
import { ENGINES, spawnNode, type ChildNode } from "./support/servers.ts";

/** POST /v1/guest from a chosen loopback address, with an optional X-Forwarded-For. */
function mint(url: string, from: string, forwardedFor?: string | string[]): Promise<{ status: number; body: Record<string, unknown>; retryAfter?: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}/v1/guest`, {
      method: "POST",
      localAddress: from,
      headers: { "content-type": "application/json", ...(forwardedFor ? { "x-forwarded-for": forwardedFor } : {}) },
    });
    req.on("response", (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          body: JSON.parse(text) as Record<string, unknown>,
          retryAfter: res.headers["retry-after"] as string | undefined,
        }),
      );
    });
    req.on("error", reject);
    req.end("{}");
  });
}

const statuses = async (n: number, make: () => Promise<{ status: number }>) => {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await make()).status);
  return out;
};

describe("guest tokens per address", () => {
  it("allows 60 a minute by default", () => {
    expect(loadConfig({}).guestTokensPerMinute).toBe(60);
  });

  describe.each(ENGINES)("on %s", (engine) => {
    let node: ChildNode | undefined;
    afterEach(async () => {
      await node?.kill();
      node = undefined;
    });

    it("refuses an address past its budget with 429 RATE_LIMITED; other addresses go on", async () => {
      node = await spawnNode({ ENGINE: engine, GUEST_TOKENS_PER_MINUTE: "4" });
      expect(await statuses(4, () => mint(node!.url, "127.0.0.2"))).toEqual([200, 200, 200, 200]);
      const refused = await mint(node.url, "127.0.0.2");
      expect(refused).toMatchObject({ status: 429, body: { error: { code: "RATE_LIMITED" } }, retryAfter: "60" });
      expect((await mint(node.url, "127.0.0.3")).status).toBe(200);
      // A forged X-Forwarded-For from a peer that is not a trusted proxy changes nothing.
      expect((await mint(node.url, "127.0.0.2", "203.0.113.9")).status).toBe(429);
      // The node's log comes through a pipe, after what the client saw: waited for.
      await eventually(
        () => node!.logs.some((l) => l.msg === "guest token refused: too many from this address" && l.address === "127.0.0.2"),
        10_000,
        "the refusal logged",
      );
    });

    it("behind a trusted proxy, counts each forwarded client on its own", async () => {
      node = await spawnNode({ ENGINE: engine, GUEST_TOKENS_PER_MINUTE: "2", TRUST_PROXY: "127.0.0.1" });
      const viaProxy = (client: string) => mint(node!.url, "127.0.0.1", client);
      expect(await statuses(3, () => viaProxy("198.51.100.1"))).toEqual([200, 200, 429]);
      expect(await statuses(2, () => viaProxy("198.51.100.2"))).toEqual([200, 200]);
      // What a client wrote to the left of what the proxy appended is not trusted.
      expect((await viaProxy("10.9.9.9, 198.51.100.1")).status).toBe(429);
    });

    it("behind a proxy that appends its own X-Forwarded-For line (HAProxy's option forwardfor), reads every line", async () => {
      node = await spawnNode({ ENGINE: engine, GUEST_TOKENS_PER_MINUTE: "5", TRUST_PROXY: "127.0.0.1" });
      // each request forges a different first line; the proxy's line names the same client
      const statusesSeen = await statuses(15, async () => mint(node!.url, "127.0.0.1", [`203.0.113.${Math.floor(Math.random() * 250)}`, "198.51.100.7"]));
      expect(statusesSeen.filter((s) => s === 200)).toHaveLength(5);
      expect(statusesSeen.slice(5).every((s) => s === 429)).toBe(true);
      // another client behind the same proxy has a budget of its own
      expect((await mint(node.url, "127.0.0.1", ["203.0.113.1", "198.51.100.8"])).status).toBe(200);
    });
  });
});
