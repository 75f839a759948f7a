import { createHash } from "node:crypto";
import { connect as netConnect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GameInfo } from "../protocol/index.ts";
import { connect } from "./support/clients.ts";
import { freePort } from "./support/redis-process.ts";
import { ENGINES, startServer, type InProcessServer } from "./support/servers.ts";

describe.each(ENGINES)("HTTP routes on %s", (engine) => {
  let node: InProcessServer;
  beforeAll(async () => {
    node = await startServer({ ENGINE: engine });
  });
  afterAll(() => node.stop());

  const post = (body: string, headers: Record<string, string> = { "content-type": "application/json" }) =>
    fetch(`${node.url}/v1/guest`, { method: "POST", headers, body });

  it("POST /v1/guest mints a token that connects", async () => {
    const response = await post(JSON.stringify({ name: "  Ada  " }));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { playerId: string; name: string; token: string };
    expect(body.name).toBe("Ada");
    expect(body.playerId).toMatch(/^g_[0-9a-f]{32}$/);
    const [, payload] = body.token.split(".");
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ sub: body.playerId, name: "Ada" });
    expect(typeof claims.exp).toBe("number");
    const socket = await connect(node.url, "pong", body.token);
    socket.close();
  });

  it("the /v1/ routes answer pages of any origin: a preflight, then the answer with its CORS header; the page itself does not", async () => {
    const preflight = await fetch(`${node.url}/v1/guest`, {
      method: "OPTIONS",
      headers: { origin: "https://game.example", "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    expect(preflight.headers.get("access-control-allow-methods")).toContain("POST");
    expect(preflight.headers.get("access-control-allow-headers")).toBe("content-type");
    for (const response of [await fetch(`${node.url}/v1/games`), await post("{}")]) {
      expect(response.status).toBe(200);
      expect(response.headers.get("access-control-allow-origin")).toBe("*");
    }
    expect((await fetch(`${node.url}/healthz`)).headers.get("access-control-allow-origin")).toBeNull();
  });

  it("POST /v1/guest without a name picks one; an empty body is fine", async () => {
    const response = await post("");
    expect(response.status).toBe(200);
    expect(((await response.json()) as { name: string }).name).toMatch(/^Guest-/);
  });

  it.each([
    ["not JSON", "{nope"],
    ["an empty name", JSON.stringify({ name: "" })],
    ["a name of control characters", JSON.stringify({ name: "\u0000\u0007" })],
    ["a 25-character name", JSON.stringify({ name: "x".repeat(25) })],
    ["a number as name", JSON.stringify({ name: 7 })],
    ["an array body", "[]"],
  ])("POST /v1/guest with %s is 400 with a coded error", async (_what, body) => {
    const response = await post(body);
    expect(response.status).toBe(400);
    const answer = (await response.json()) as { error: { code: string; message: string } };
    expect(answer.error.code).toBe("BAD_REQUEST");
    expect(answer.error.message.length).toBeGreaterThan(0);
  });

  it("refuses a body over the limit with 413", async () => {
    const response = await post(JSON.stringify({ name: "x".repeat(10_000) }));
    expect(response.status).toBe(413);
  });

  it("GET /v1/games describes every loaded game fully (kind, modes, seats, maxDurationS, wire fields, input schema, browser module)", async () => {
    const response = await fetch(`${node.url}/v1/games`);
    expect(response.status).toBe(200);
    const games = (await response.json()) as GameInfo[];
    expect(games.map((g) => [g.name, g.namespace])).toEqual([
      ["pong", "/pong"],
      ["tictactoe", "/tictactoe"],
      ["connect-four", "/connect-four"],
    ]);
    expect(games[0]).toMatchObject({ tickRate: 30, kind: "realtime", seats: 2, maxDurationS: 600, viewPerSeat: false, script: "/games/pong.js" });
    const c4 = games[2]!;
    expect(c4).toMatchObject({ kind: "turns", tickRate: 10, modes: ["ranked", "casual"] });
    const fields = (c4.wire as { fields: { name: string; scale: number }[] }).fields.map((f) => f.name);
    expect(fields).toEqual([
      "columns.0",
      "columns.1",
      "columns.2",
      "columns.3",
      "columns.4",
      "columns.5",
      "columns.6",
      "turn",
      "moveDeadline",
      "inputSeq.0",
      "inputSeq.1",
    ]);
    expect(c4.input).toMatchObject({ type: "object", properties: { column: { type: "integer" } }, required: ["column"] });
    // each game's browser module (its rules and renderer) is served; an unknown game's is not
    const script = await fetch(`${node.url}/games/connect-four.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toContain("javascript");
    expect(await script.text()).toContain("column must be 0 to 6");
    expect((await fetch(`${node.url}/games/chess.js`)).status).toBe(404);
  });

  it("GET /healthz and /readyz answer 200 on a single node", async () => {
    expect((await fetch(`${node.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${node.url}/readyz`);
    expect(ready.status).toBe(200);
  });

  it("GET /metrics is Prometheus text with Arena's metrics", async () => {
    const response = await fetch(`${node.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = await response.text();
    expect(text).toContain("# TYPE arena_connections gauge");
    expect(text).toContain("process_cpu_seconds_total");
  });

  it("GET / serves a page; unknown routes are 404 JSON", async () => {
    const page = await fetch(`${node.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    // a Content-Security-Policy that allows what the page needs and nothing more, and no sniffing
    const policy = page.headers.get("content-security-policy") ?? "";
    const directives = Object.fromEntries(policy.split("; ").map((d) => [d.split(" ")[0], d.split(" ").slice(1)]));
    expect(directives["default-src"]).toEqual(["'self'"]);
    expect(directives["script-src"]).toEqual(["'self'"]);
    expect(directives["frame-ancestors"]).toEqual(["'none'"]);
    expect(directives["object-src"]).toEqual(["'none'"]);
    // the page's one inline style block, by its hash; no 'unsafe-inline' anywhere
    const html = await page.text();
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    expect(directives["style-src"]).toEqual(["'self'", `'sha256-${createHash("sha256").update(style).digest("base64")}'`]);
    expect(policy).not.toContain("unsafe");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    const script = await fetch(`${node.url}/app.js`);
    expect(script.headers.get("x-content-type-options")).toBe("nosniff");
    expect(script.headers.get("content-type")).toContain("text/javascript");
    const missing = await fetch(`${node.url}/nope`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("BAD_REQUEST");
  });

  it("answers garbage on the port without falling over", async () => {
    await new Promise<void>((resolve) => {
      const socket = netConnect(node.server.port, "127.0.0.1", () => socket.end("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\u0000\u0000\u0000"));
      socket.on("error", () => resolve());
      socket.on("close", () => resolve());
      socket.resume();
    });
    expect((await fetch(`${node.url}/healthz`)).status).toBe(200);
  });
});

describe("guest tokens turned off", () => {
  it("POST /v1/guest answers 404 when GUEST_TOKENS=false", async () => {
    const node = await startServer({ ENGINE: "ws", GUEST_TOKENS: "false" });
    try {
      const response = await fetch(`${node.url}/v1/guest`, { method: "POST", body: "{}" });
      expect(response.status).toBe(404);
    } finally {
      await node.stop();
    }
  });
});

describe.each(ENGINES)("METRICS_PORT on %s", (engine) => {
  it("moves /metrics and /metrics/latency to their own port: the game port answers 404 there, and the metrics port serves nothing else", async () => {
    const metricsPort = await freePort();
    const node = await startServer({ ENGINE: engine, METRICS_PORT: String(metricsPort) });
    try {
      for (const path of ["/metrics", "/metrics/latency"]) expect((await fetch(`${node.url}${path}`)).status).toBe(404);
      const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain("arena_connections");
      const latency = await fetch(`http://127.0.0.1:${metricsPort}/metrics/latency`);
      expect(latency.status).toBe(200);
      expect(await latency.json()).toHaveProperty("node");
      for (const path of ["/", "/v1/games", "/healthz"]) expect((await fetch(`http://127.0.0.1:${metricsPort}${path}`)).status).toBe(404);
      expect((await fetch(`${node.url}/v1/games`)).status).toBe(200);
    } finally {
      await node.stop();
    }
    // and it is closed with the node
    await expect(fetch(`http://127.0.0.1:${metricsPort}/metrics`)).rejects.toThrow();
  });
});
