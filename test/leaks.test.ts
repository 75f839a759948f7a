import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { closeAllClients, eventually } from "./support/clients.ts";
import { startMatch } from "./support/players.ts";
import { ENGINES, startServer, testPrefix, testSecret } from "./support/servers.ts";

/** `arena_open_connections` from a node's /metrics. */
async function openConnections(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split("\n").find((l) => /^arena_open_connections[ {]/.test(l));
  return Number(line?.split(" ").pop());
}

const resources = () => process.getActiveResourcesInfo().reduce((m, type) => m.set(type, (m.get(type) ?? 0) + 1), new Map<string, number>());

describe.each(ENGINES)("nothing left behind after close (%s)", (engine) => {
  let redis: Redis;
  beforeAll(async () => {
    redis = new Redis(inject("redisUrl"));
    await redis.ping();
  });
  afterAll(() => redis.quit());

  it("releases Redis subscriptions and connections, adapter requests and handles", async () => {
    const prefix = testPrefix();
    const before = resources();
    const node = await startServer({
      ENGINE: engine,
      REDIS_URL: inject("redisUrl"),
      REDIS_PREFIX: prefix,
      ARENA_SECRET: testSecret(),
      NODE_ID: `leak-${prefix}`,
      SHUTDOWN_GRACE_MS: "100",
    });
    const match = await startMatch("tictactoe", [node.url, node.url]);
    await match.seats[0].send("chat:send", { matchId: match.matchId, text: "hi" });
    await node.server.io.of("/pong").fetchSockets();
    expect((await redis.pubsub("CHANNELS", `${prefix}*`)).length).toBeGreaterThan(0);
    await match.seats[0].send("match:leave", { matchId: match.matchId });
    await match.ends;
    // The server's own count of its connections (on uWebSockets.js they are no Node.js handles).
    expect(await openConnections(node.url)).toBe(2);
    closeAllClients();
    await eventually(async () => (await openConnections(node.url)) === 0, 5000, "the server closed its connections");
    await node.stop();
    // an ended room is kept 2 s for late acks; the clients' sockets need a moment to close
    await new Promise((resolve) => setTimeout(resolve, 2500));

    expect(await redis.pubsub("CHANNELS", `${prefix}*`)).toEqual([]);
    const clients = (await redis.client("LIST")) as string;
    expect(clients.split("\n").filter((line) => line.includes(`leak-${prefix}`))).toEqual([]);
    for (const name of ["/pong", "/tictactoe"]) {
      expect((node.server.io.of(name).adapter as unknown as { requests: Map<string, unknown> }).requests.size).toBe(0);
    }
    const after = resources();
    // Node.js handles: the ws engine's listener and sockets, and every timer of either engine.
    for (const type of ["TCPServerWrap", "TCPSocketWrap", "Timeout"]) {
      expect(after.get(type) ?? 0, type).toBeLessThanOrEqual(before.get(type) ?? 0);
    }
  });
});
