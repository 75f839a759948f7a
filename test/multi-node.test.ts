import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { closeAllClients, connect, eventually, guest, request, waitFor, type TestClient } from "./support/clients.ts";
import { redisEnv, SETUPS, spawnNode, testPrefix, testSecret, type ChildNode } from "./support/servers.ts";

describe.each(SETUPS)("two nodes on one Redis (%s, %s)", (engine, redis) => {
  let a: ChildNode;
  let b: ChildNode;
  beforeAll(async () => {
    const env = { ENGINE: engine, ...redisEnv(redis), REDIS_PREFIX: testPrefix(), ARENA_SECRET: testSecret() };
    [a, b] = await Promise.all([spawnNode(env), spawnNode(env)]);
  });
  afterAll(async () => {
    await Promise.all([a?.kill(), b?.kill()]);
  });
  afterEach(() => closeAllClients());

  it("a token from one node is accepted by the other", async () => {
    const player = await guest(a.url);
    const socket = await connect(b.url, "tictactoe", player.token);
    expect(socket.connected).toBe(true);
  });

  it("a newer connection on another node replaces the older one", async () => {
    const player = await guest(a.url);
    const first = await connect(a.url, "pong", player.token);
    const replaced = waitFor(first, "session:replaced");
    const gone = new Promise((resolve) => first.once("disconnect", resolve));
    const second = await connect(b.url, "pong", player.token);
    await expect(replaced).resolves.toEqual({});
    await expect(gone).resolves.toBe("io server disconnect");
    expect(second.connected).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(second.connected).toBe(true);
    const answer = await request(second, "stats", []);
    expect(answer).toMatchObject({ ok: false, error: { code: "BAD_REQUEST" } });
  });

  it("of rapid connections alternating between nodes, only the newest survives", async () => {
    const player = await guest(a.url);
    const sockets: TestClient[] = [];
    for (const node of [a, b, a, b, a]) sockets.push(await connect(node.url, "pong", player.token));
    await eventually(() => sockets.slice(0, 4).every((s) => !s.connected), 15_000, "the four older connections dropped");
    expect(sockets.map((s) => s.connected)).toEqual([false, false, false, false, true]);
    expect(await request(sockets[4]!, "stats", {})).toMatchObject({ ok: true });
  });

  it("both nodes are ready and log the engine they run", async () => {
    for (const node of [a, b]) {
      expect((await fetch(`${node.url}/readyz`)).status).toBe(200);
      const listening = node.logs.find((line) => line.msg === "arena listening");
      expect(listening).toMatchObject({ engine, redis: true, node: node.nodeId });
    }
  });
});
