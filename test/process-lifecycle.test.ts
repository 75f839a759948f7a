import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { connectGuest, eventually, request, waitForDisconnect } from "./support/clients.ts";
import { freePort, startPrivateRedis } from "./support/redis-process.ts";
import { ENGINES, spawnNode, testSecret } from "./support/servers.ts";

/**
 * A test that starts a node, stops or starts its Redis and waits for the node to notice: each wait
 * is bounded on its own (a node's start up to 20 s, a state change up to 15 s on a loaded machine),
 * so the test as a whole gets their sum, not the default 30 s.
 */
const SLOW_START_MS = 90_000;
import { loadUws } from "../server/index.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

async function runMain(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
    cwd: ROOT,
    env: { ...process.env, HOST: "127.0.0.1", PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const [code] = (await once(child, "exit")) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** Whether a uWebSockets.js build has a binary that loads on this Node and C library. */
const fitsHere = () => loadUws().native;

describe("uWebSockets.js native binary", () => {
  it("is the one in use in this process, where a build fits this Node (Node 20 here; 22 and 24 need glibc 2.38)", () => {
    const loaded = loadUws();
    if (!fitsHere()) return expect(loaded).toMatchObject({ native: false });
    expect(loaded.native && loaded.binary).toMatch(/uws_linux_x64_\d+\.node$/);
    // The very module the server runs on is the native addon: its App is a native function, not the shim's.
    expect(loaded.native && Function.prototype.toString.call(loaded.uws.App)).toContain("[native code]");
  });

  it("tries each build in order, says why each one that does not fit does not, and never takes a shim", () => {
    const build = (name: string, path: string) => ({ name, serves: `${name}'s Node`, binary: () => path });
    const here = process.execPath; // a file that exists, standing in for a binary
    const refusing = (path: string) => {
      if (path === here) throw new Error("version `GLIBC_2.38' not found");
      return { App: () => undefined };
    };
    const none = loadUws([build("old", "/nowhere/uws.node"), build("new", here)], refusing, {});
    expect(none).toMatchObject({ native: false });
    expect(none.tried).toEqual([
      expect.stringContaining("old (old's Node): no binary for Node"),
      expect.stringContaining("new (new's Node): version `GLIBC_2.38'"),
    ]);
    const second = loadUws([build("old", "/nowhere/uws.node"), build("other", fileURLToPath(import.meta.url))], refusing, {});
    expect(second).toMatchObject({ native: true, build: "other", binary: fileURLToPath(import.meta.url) });
    expect(loadUws([build("other", fileURLToPath(import.meta.url))], refusing, { UWS_USE_FALLBACK: "1" })).toMatchObject({ native: false });
  });

  it("a node on uws says so in its start-up log", async () => {
    const node = await spawnNode({ ENGINE: "uws" });
    try {
      const line = node.logs.find((entry) => entry.msg === "uWebSockets.js native binary loaded");
      expect(line).toMatchObject({ native: true, engine: "uws" });
    } finally {
      await node.kill();
    }
  });

  it("refuses to start on the JavaScript fallback, and says why", async () => {
    const result = await runMain({ ENGINE: "uws", UWS_USE_FALLBACK: "1" });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("native binary is not in use");
    expect(result.stdout).toContain("ENGINE=ws");
  });

  it("without ENGINE, a node where no build fits starts on ws and says why in a warning", async () => {
    const node = await spawnNode({ ENGINE: "", UWS_USE_FALLBACK: "1" });
    try {
      const line = node.logs.find((entry) => entry.level === 40 && String(entry.msg).includes("running on the ws engine"));
      expect(line?.msg).toContain("glibc 2.38");
      expect(node.logs.find((entry) => entry.msg === "using the ws engine")).toBeDefined();
      const guest = await fetch(`${node.url}/v1/guest`, { method: "POST" });
      expect(guest.status).toBe(200);
    } finally {
      await node.kill();
    }
  });
});

describe("configuration errors", () => {
  it.each([
    [{ PORT: "abc" }, "PORT"],
    [{ ENGINE: "nginx" }, "ENGINE"],
    [{ REDIS_URL: "redis://127.0.0.1:1" }, "ARENA_SECRET"],
    [{ REDIS_URL: "http://x" }, "REDIS_URL"],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL"],
    [{ GUEST_TOKENS: "maybe" }, "GUEST_TOKENS"],
    [{ TOKEN_SECRETS: "k1:too-short" }, "TOKEN_SECRETS"],
    [{ TOKEN_JWKS_URL: "ftp://idp" }, "TOKEN_JWKS_URL"],
  ])("%o stops the process with one line naming %s", async (env, variable) => {
    const result = await runMain(env as Record<string, string>);
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`${variable}=`);
    expect(lines[0]).toContain("accepts");
  });

  it.each([
    [{ PONG_TICK_RATE: "fast" }, "PONG_TICK_RATE", "an integer from 10 to 120"],
    [{ CONNECT_FOUR_MOVE_SECONDS: "0" }, "CONNECT_FOUR_MOVE_SECONDS", "a number from 0.2 to 3600"],
    [{ GAMES: "pong,chess" }, "GAMES", 'no built-in game "chess"'],
    [{ GAMES: "pong,./no/such/game.ts" }, "GAMES", "cannot load"],
    [{ GAMES: "pong,,tictactoe" }, "GAMES", "none empty"],
  ])("games: %o stops the process with one line naming %s", async (env, variable, says) => {
    const result = await runMain(env as Record<string, string>);
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(variable);
    expect(lines[0]).toContain(says);
  });

  it("never writes a password from REDIS_URL, nor ARENA_SECRET", async () => {
    const result = await runMain({ REDIS_URL: "http://arena:hunter2-redis-pass@127.0.0.1:1" });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("REDIS_URL");
    expect(result.stderr).toContain("***@127.0.0.1:1");
    expect(result.stderr + result.stdout).not.toContain("hunter2");
  });
});

describe.each(ENGINES)("a second process on a taken port, on %s", (engine) => {
  it("fails to start and says why, instead of sharing the port", async () => {
    const first = await spawnNode({ ENGINE: engine });
    try {
      const second = await runMain({ ENGINE: engine, PORT: String(first.port) });
      expect(second.code).toBe(1);
      expect(second.stdout).toMatch(/EADDRINUSE|address is in use/);
      expect(second.stdout).not.toContain("arena listening");
      // The first node still answers every request itself.
      for (let i = 0; i < 20; i++) expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
    } finally {
      await first.kill();
    }
  });
});

describe("REUSE_PORT", () => {
  it("lets two uws nodes share a port when an operator asks for it", async () => {
    // A fixed port: uSockets shares only a port it was given, not one the kernel picked (port 0).
    const port = String(await freePort());
    const first = await spawnNode({ ENGINE: "uws", REUSE_PORT: "true", PORT: port });
    try {
      const second = await spawnNode({ ENGINE: "uws", REUSE_PORT: "true", PORT: String(first.port) });
      expect(second.port).toBe(first.port);
      await second.kill();
    } finally {
      await first.kill();
    }
  });

  it("is refused on the ws engine, which cannot share a port", async () => {
    const result = await runMain({ ENGINE: "ws", REUSE_PORT: "true" });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("REUSE_PORT=");
  });
});

/** Starts `server/main.ts`, reads its stdout until it listens, then stops it with SIGTERM. */
async function startupOutput(env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
    cwd: ROOT,
    env: { ...process.env, HOST: "127.0.0.1", PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start-up within 20 s: ${stdout}`)), 20_000);
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes("arena listening")) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  child.kill("SIGTERM");
  await once(child, "exit");
  return stdout;
}

describe("log format", () => {
  it("writes JSON lines when stdout is not a terminal, and lines for people with LOG_FORMAT=pretty", async () => {
    const json = await startupOutput({});
    for (const line of json.trim().split("\n")) expect(() => JSON.parse(line), line).not.toThrow();
    const pretty = await startupOutput({ LOG_FORMAT: "pretty" });
    const listening = pretty.split("\n").find((line) => line.includes("arena listening"))!;
    expect(() => JSON.parse(listening)).toThrow();
    expect(listening).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO/);
    expect(pretty).toMatch(/engine: "uws"/);
  });
});

describe("secrets in logs", () => {
  it("a node whose Redis refuses its password logs neither the password nor the secret", async () => {
    const redis = await startPrivateRedis();
    const secret = testSecret();
    const node = await spawnNode({ REDIS_URL: `redis://arena:hunter2-redis-pass@127.0.0.1:${redis.port}`, ARENA_SECRET: secret }, { untilReady: false });
    try {
      await eventually(() => node.logs.some((line) => line.msg === "redis connection not ready"));
      const listening = node.logs.find((line) => line.msg === "arena listening");
      expect(listening?.redisUrl).toBe(`redis://***@127.0.0.1:${redis.port}`);
      const written = JSON.stringify(node.logs) + node.stderr.join("");
      expect(written).not.toContain("hunter2");
      expect(written).not.toContain(secret);
    } finally {
      await node.kill();
      await redis.stop();
    }
  });
});

describe.each(ENGINES)("process lifecycle on %s", (engine) => {
  it("SIGTERM disconnects players and exits 0", async () => {
    const node = await spawnNode({ ENGINE: engine });
    const { socket } = await connectGuest(node.url, "pong");
    const gone = waitForDisconnect(socket);
    const exit = node.kill("SIGTERM");
    await expect(gone).resolves.toBeTypeOf("string");
    await expect(exit).resolves.toMatchObject({ code: 0 });
    expect(node.logs.some((line) => line.msg === "stopped")).toBe(true);
  });

  it(
    "/readyz is 503 while Redis is down and 200 once it is back; events answer UNAVAILABLE meanwhile",
    async () => {
      const redis = await startPrivateRedis();
      const node = await spawnNode({ ENGINE: engine, REDIS_URL: redis.url, ARENA_SECRET: testSecret() });
      try {
        await eventually(async () => (await fetch(`${node.url}/readyz`)).status === 200, 5000, "ready");
        const { socket } = await connectGuest(node.url, "pong");
        await redis.stop();
        await eventually(async () => (await fetch(`${node.url}/readyz`)).status === 503, 5000, "not ready");
        const body = (await (await fetch(`${node.url}/readyz`)).json()) as { reason: string };
        expect(body.reason).toBe("redis unreachable");
        expect((await fetch(`${node.url}/healthz`)).status).toBe(200);
        const answer = await request(socket, "stats", {});
        expect(answer).toMatchObject({ ok: false, error: { code: "UNAVAILABLE" } });
        await redis.restart();
        await eventually(async () => (await fetch(`${node.url}/readyz`)).status === 200, 10_000, "ready again");
        socket.close();
      } finally {
        await node.kill();
        await redis.stop();
      }
    },
    SLOW_START_MS,
  );

  it(
    "starts while Redis is unreachable and keeps retrying",
    async () => {
      const redis = await startPrivateRedis();
      await redis.stop();
      const node = await spawnNode({ ENGINE: engine, REDIS_URL: redis.url, ARENA_SECRET: testSecret() }, { untilReady: false });
      try {
        expect((await fetch(`${node.url}/readyz`)).status).toBe(503);
        await redis.restart();
        await eventually(async () => (await fetch(`${node.url}/readyz`)).status === 200, 10_000, "ready after Redis came up");
      } finally {
        await node.kill();
        await redis.stop();
      }
    },
    SLOW_START_MS,
  );
});

describe("npm start", () => {
  it("runs the server with the Node.js flags the bench measures it with", async () => {
    const { readFile } = await import("node:fs/promises");
    const { SERVER_NODE_FLAGS } = await import("../harness/index.ts");
    const start = (JSON.parse(await readFile(`${ROOT}/package.json`, "utf8")) as { scripts: { start: string } }).scripts.start;
    expect(start).toBe(`node ${SERVER_NODE_FLAGS.join(" ")} --import tsx server/main.ts`);
  });
});
