import { afterEach, describe, expect, it } from "vitest";
import { request as httpRequest } from "node:http";
import { randomBytes } from "node:crypto";
import { closeAllClients, connect, connectGuest, eventually, type TestClient } from "./support/clients.ts";
import { ENGINES, spawnNode, testSecret, type ChildNode } from "./support/servers.ts";
import { signToken } from "./support/tokens.ts";

// Low enough to reach with real clients, high enough for the start-up itself: Node's ESM loader opens
// a package's modules concurrently (openskill brings ramda's 275 files), and 160 ran out once in CI.
const FD_LIMIT = 512;
// The default cap keeps 10% of the descriptors, at least 64, free.
const CAP = FD_LIMIT - 64;

/** The status a handshake gets: 101 for a WebSocket upgrade let through, else the HTTP status. */
function handshakeStatus(url: string, transport: "websocket" | "polling"): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> =
      transport === "websocket"
        ? { connection: "Upgrade", upgrade: "websocket", "sec-websocket-key": randomBytes(16).toString("base64"), "sec-websocket-version": "13" }
        : {};
    const req = httpRequest(`${url}/socket.io/?EIO=4&transport=${transport}`, { headers });
    req.on("upgrade", (_res, socket) => {
      socket.destroy();
      resolve(101);
    });
    req.on("response", (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end();
  });
}

describe.each(ENGINES)("MAX_CONNECTIONS on %s", (engine) => {
  let node: ChildNode | undefined;
  afterEach(async () => {
    closeAllClients();
    await node?.kill();
    node = undefined;
  });

  it("derives the cap from a lowered descriptor limit, refuses the excess with 503, stays answering, and logs it once", async () => {
    const secret = testSecret();
    node = await spawnNode({ ENGINE: engine, ARENA_SECRET: secret }, { fdLimit: FD_LIMIT });
    const started = node.logs.find((line) => line.msg === "arena listening");
    expect(started).toMatchObject({ fdLimit: FD_LIMIT, maxConnections: CAP });

    const token = (i: number) => signToken(secret, { sub: `cap-${i}`, exp: Math.floor(Date.now() / 1000) + 600 });
    const players: TestClient[] = [];
    for (let i = 0; i < CAP; i++) players.push(await connect(node.url, "pong", await token(i)));
    expect(players.every((socket) => socket.connected)).toBe(true);

    // Past the cap: refused at the handshake, by either transport, and a real client is told so.
    for (let i = 0; i < 3; i++) {
      expect(await handshakeStatus(node.url, "websocket")).toBe(503);
      expect(await handshakeStatus(node.url, "polling")).toBe(503);
    }
    await expect(connect(node.url, "pong", await token(CAP))).rejects.toThrow();
    // The node still answers, and tells the load balancer it is full.
    expect((await fetch(`${node.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${node.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ ready: false, reason: "near MAX_CONNECTIONS" });
    expect(players.every((socket) => socket.connected)).toBe(true);
    const reached = () => node!.logs.filter((line) => line.msg === "MAX_CONNECTIONS reached: refusing new connections with 503");
    await eventually(() => reached().length > 0);
    expect(reached()).toHaveLength(1);

    // Below 90% again: ready, and new players get in.
    for (const socket of players.splice(0, Math.ceil(CAP * 0.2))) socket.close();
    await eventually(async () => (await fetch(`${node!.url}/readyz`)).status === 200);
    expect(await handshakeStatus(node.url, "websocket")).toBe(101);
    expect((await connect(node.url, "pong", await token(CAP + 1))).connected).toBe(true);
  }, 60_000);

  it("takes MAX_CONNECTIONS as given", async () => {
    node = await spawnNode({ ENGINE: engine, MAX_CONNECTIONS: "2" });
    expect(node.logs.find((line) => line.msg === "arena listening")).toMatchObject({ maxConnections: 2 });
    await connectGuest(node.url, "pong");
    await connectGuest(node.url, "tictactoe");
    expect(await handshakeStatus(node.url, "websocket")).toBe(503);
  });
});
