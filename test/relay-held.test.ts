import { afterEach, describe, expect, inject, it } from "vitest";
import type { RelayMessage } from "../game-rooms/index.ts";
import { Registry } from "prom-client";
import { FaultProxy } from "../harness/index.ts";
import { openRedis, type RedisClient } from "../server/redis.ts";
import { createRelayCounters, RedisRelay } from "../server/relay/relay.ts";
import { eventually } from "./support/clients.ts";
import { testPrefix } from "./support/servers.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** As a node's relay connections reconnect: soon, then backing off. */
const RECONNECT = { retryStrategy: (times: number) => Math.min(times * 100, 2000), maxRetriesPerRequest: null };

const event = (i: number): RelayMessage => ({
  t: "player",
  game: "tictactoe",
  playerId: "p",
  event: "lobby:chat",
  payload: { from: "f", name: "F", text: String(i), at: i },
});
const state = (matchId: string, tick: number): RelayMessage => ({
  t: "state",
  from: "a",
  game: "pong",
  matchId,
  players: ["p"],
  tick,
  state: { tick },
  inputSeq: [0, 0],
});

/**
 * The relay between nodes is Redis Pub/Sub, which keeps nothing for a subscriber that is not there.
 * What a node is sent while its subscription is down (reconnecting) is held and delivered once it
 * is back, in order, rather than lost.
 */
const clients: RedisClient[] = [];
const relays: RedisRelay[] = [];
afterEach(async () => {
  await Promise.all(relays.splice(0).map((r) => r.close()));
  for (const c of clients.splice(0)) c.disconnect();
});

/** A node's relay on `url`: its messages as received, and its held-message counter. */
function relay(node: string, prefix: string, url: string, cluster: boolean, holdMs?: number) {
  const registry = new Registry();
  const pub = openRedis(url, cluster, RECONNECT);
  const sub = openRedis(url, cluster, RECONNECT, cluster);
  clients.push(pub, sub);
  for (const c of [pub, sub]) c.on("error", () => undefined); // connections through a cut proxy reconnect
  const r = new RedisRelay(pub, sub, prefix, node, cluster, createRelayCounters(registry), undefined, holdMs);
  relays.push(r);
  const got: RelayMessage[] = [];
  r.onMessage((m) => got.push(m));
  const held = async (outcome: string) =>
    (await registry.getSingleMetric("arena_relay_held_messages_total")!.get()).values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
  return { r, got, held };
}

describe.each([
  ["redis", false],
  ["redis-cluster", true],
] as const)("relay messages to a node whose subscription is down (%s)", (_name, cluster) => {
  const url = () => (cluster ? inject("redisClusterUrl") : inject("redisUrl"));

  it("a node that subscribes late gets what it was sent meanwhile, in order, with only the newest state of each match", async () => {
    const prefix = testPrefix();
    const a = relay("a", prefix, url(), cluster);
    await sleep(200); // a's own subscription is up
    for (let i = 0; i < 5; i++) a.r.send("b", event(i));
    await sleep(30);
    for (let tick = 1; tick <= 20; tick++) a.r.send("b", state("m1", tick));
    a.r.send("b", event(5));
    await sleep(300);
    const b = relay("b", prefix, url(), cluster);
    await eventually(() => b.got.length >= 7, 5000, "the held messages");
    await sleep(100);
    expect(b.got).toEqual([0, 1, 2, 3, 4].map(event).concat([state("m1", 20), event(5)]));
    expect(await a.held("delivered")).toBe(7);
    // Once it is through, messages go straight again.
    a.r.send("b", event(6));
    await eventually(() => b.got.length === 8, 2000, "the next message");
    expect(await a.held("delivered")).toBe(7);
  });

  it("what is sent to a node that never comes back is dropped after the hold, and counted", async () => {
    const prefix = testPrefix();
    const a = relay("a", prefix, url(), cluster, 300);
    for (let i = 0; i < 10; i++) a.r.send("gone", event(i));
    await eventually(async () => (await a.held("dropped")) === 10, 3000, "the messages dropped");
    expect(await a.held("delivered")).toBe(0);
  });
});

describe("relay messages to a node whose connection to Redis is cut (redis, through a fault proxy)", () => {
  it("messages sent while the receiver's connection is cut and reconnecting all arrive, in order", async () => {
    const prefix = testPrefix();
    const target = new URL(inject("redisUrl"));
    const proxy = await FaultProxy.start({ host: target.hostname, port: Number(target.port) });
    try {
      const a = relay("a", prefix, inject("redisUrl"), false);
      const b = relay("b", prefix, proxy.url(), false);
      await sleep(200);
      let n = 0;
      // Without holding, most rounds lose the ~100 ms of messages before the subscription is back.
      for (let round = 0; round < 5; round++) {
        proxy.cutAll();
        for (let i = 0; i < 30; i++) {
          a.r.send("b", event(n++));
          await sleep(10);
        }
        await eventually(() => b.got.length >= n, 5000, `round ${round}'s messages`).catch(() => undefined);
      }
      await sleep(100);
      expect(b.got.map((m) => (m.t === "player" && m.event === "lobby:chat" ? Number(m.payload.text) : -1))).toEqual([...Array(n).keys()]);
      expect(await a.held("delivered")).toBeGreaterThan(0);
      expect(proxy.cuts).toBeGreaterThanOrEqual(5);
    } finally {
      await Promise.all(relays.splice(0).map((r) => r.close()));
      for (const c of clients.splice(0)) c.disconnect();
      await proxy.close();
    }
  });
});
