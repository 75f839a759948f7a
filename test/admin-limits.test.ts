import { Redis } from "ioredis";
import { io } from "socket.io-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { closeAllClients, eventually, waitFor } from "./support/clients.ts";
import { startMatch } from "./support/players.ts";
import { startPrivateRedis, type PrivateRedis } from "./support/redis-process.ts";
import { ENGINES, spawnNode, stopAll, testSecret, type ChildNode } from "./support/servers.ts";

const PASSWORD = "correct-horse-battery-staple";
const nodes: ChildNode[] = [];
const admins: ReturnType<typeof io>[] = [];
afterEach(async () => {
  closeAllClients();
  for (const socket of admins.splice(0)) socket.close();
  await stopAll(nodes.splice(0));
});

/** Connects to `/admin` as the UI does: the `config` it is sent, or the connect_error. */
function adminLogin(url: string, password: string): Promise<{ features: string[] } | { error: string; code?: string }> {
  const socket = io(`${url}/admin`, { auth: { username: "admin", password }, transports: ["websocket"], reconnection: false, forceNew: true });
  admins.push(socket);
  return new Promise((resolve) => {
    socket.once("config", (config: { supportedFeatures: string[] }) => resolve({ features: config.supportedFeatures }));
    socket.once("connect_error", (error: Error & { data?: { code?: string } }) => resolve({ error: error.message, code: error.data?.code }));
  });
}

describe.each(ENGINES)("the Admin UI's limits (%s)", (engine) => {
  it("is read-only and in production mode by default; actions and development mode are opt-ins", async () => {
    nodes.push(await spawnNode({ ENGINE: engine, ADMIN_PASSWORD: PASSWORD }));
    expect(await adminLogin(nodes[0]!.url, PASSWORD)).toEqual({ features: ["AGGREGATED_EVENTS"] });
    nodes.push(await spawnNode({ ENGINE: engine, ADMIN_PASSWORD: PASSWORD, ADMIN_ACTIONS: "true", ADMIN_MODE: "development" }));
    const opted = await adminLogin(nodes[1]!.url, PASSWORD);
    expect(opted).toMatchObject({ features: expect.arrayContaining(["EMIT", "DISCONNECT", "ALL_EVENTS"]) });
  });

  it("limits login attempts per client address, right password or not", async () => {
    nodes.push(await spawnNode({ ENGINE: engine, ADMIN_PASSWORD: PASSWORD }));
    const { url } = nodes[0]!;
    for (let i = 0; i < 9; i++) expect(await adminLogin(url, "wrong-password-here")).toMatchObject({ error: expect.any(String) });
    expect(await adminLogin(url, PASSWORD)).toEqual({ features: ["AGGREGATED_EVENTS"] });
    expect(await adminLogin(url, "wrong-password-here")).toEqual({ error: "rate limited", code: "RATE_LIMITED" });
    expect(await adminLogin(url, PASSWORD)).toEqual({ error: "rate limited", code: "RATE_LIMITED" });
    // The node's log reaches this process through a pipe, after the refusal reached the client: waited for.
    await eventually(() => nodes[0]!.logs.some((l) => l.msg === "admin UI login refused: too many attempts from this address"), 10_000, "the refusal logged");
  });
});

/** Redis PUBLISH calls (plain and sharded) so far, from Redis's own command statistics. */
async function publishes(redis: Redis): Promise<number> {
  const stats = await redis.info("commandstats");
  let total = 0;
  for (const m of stats.matchAll(/^cmdstat_s?publish:calls=(\d+)/gm)) total += Number(m[1]);
  return total;
}

describe("what the Admin UI costs per event (Redis publishes per state ack)", () => {
  let redis: PrivateRedis;
  let client: Redis;
  beforeAll(async () => {
    redis = await startPrivateRedis();
    client = new Redis(redis.url);
  });
  afterAll(async () => {
    client.disconnect();
    await redis.stop();
  });

  /** Publishes per state ack while two players on one node play pong for 90 acknowledged states. */
  async function perAck(admin: Record<string, string>): Promise<number> {
    const node = await spawnNode({ ENGINE: "uws", REDIS_URL: redis.url, REDIS_PREFIX: `adm${Date.now()}`, ARENA_SECRET: testSecret(), ...admin });
    nodes.push(node);
    if (admin.ADMIN_PASSWORD) expect(await adminLogin(node.url, PASSWORD)).toMatchObject({ features: expect.any(Array) });
    const match = await startMatch("pong", [node.url, node.url]);
    const [a, b] = match.seats;
    await waitFor(a.socket, "state");
    const acks = a.acked + b.acked;
    const before = await publishes(client);
    await eventually(() => a.acked + b.acked >= acks + 90, 20_000, "90 state acks");
    const sent = a.acked + b.acked - acks;
    // The acks just sent may still be on their way to the node (a CI run once read 0.989): two more
    // states give them time to arrive. The acks sent meanwhile can only raise the ratio, by a few.
    await waitFor(a.socket, "state");
    await waitFor(a.socket, "state");
    const after = await publishes(client);
    const ratio = (after - before) / sent;
    await stopAll(nodes.splice(0));
    return ratio;
  }

  it("production mode (the default) adds no publish per event; development mode adds one or more", async () => {
    const without = await perAck({});
    const production = await perAck({ ADMIN_PASSWORD: PASSWORD });
    const development = await perAck({ ADMIN_PASSWORD: PASSWORD, ADMIN_MODE: "development" });
    console.info(`publishes per state ack: without the UI ${without.toFixed(3)}, production ${production.toFixed(3)}, development ${development.toFixed(3)}`);
    // the node's own publishes (heartbeats, leases) are not per event: a few over the run, in both
    expect(production).toBeLessThan(without + 0.1);
    expect(development).toBeGreaterThanOrEqual(1);
  }, 90_000);
});
