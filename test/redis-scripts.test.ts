import { afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import { DEFAULT_RULES, redisStore, type MatchmakingStore, type PairingRules, type Rated } from "../matchmaker/index.ts";
import { openRedis, type RedisClient } from "../server/redis.ts";
import { FaultProxy } from "../harness/index.ts";
import { deleteKeys } from "./support/stores.ts";
import { testPrefix } from "./support/servers.ts";

const T0 = 1_000_000;
const RULES: PairingRules = { ...DEFAULT_RULES, initialWindow: 100, widenPerSecond: 50, maxWindow: 0, readyTimeoutMs: 10_000, ticketTtlMs: 15_000 };
const E1200: Rated = { rating: 1200, mu: 1200, sigma: 0 };

/**
 * The store through a proxy that can cut its connection right after a script reaches Redis: ioredis
 * re-sends what was in flight once it reconnects, so Redis sees the same call twice.
 */
describe("Redis scripts are safe to run twice", () => {
  let proxy: FaultProxy;
  let client: RedisClient;
  let direct: RedisClient;
  let store: MatchmakingStore;
  let prefix: string;
  const key = (...parts: string[]) => [`${prefix}:{pong}`, ...parts].join(":");

  beforeEach(async () => {
    const target = new URL(inject("redisUrl"));
    proxy = await FaultProxy.start({ host: target.hostname, port: Number(target.port) });
    // As a node's command connection: no offline queue, one retry, quick reconnects.
    client = openRedis(proxy.url(), false, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => 50 });
    direct = openRedis(inject("redisUrl"), false, {});
    prefix = testPrefix();
    store = redisStore(client, prefix, ["pong"]);
    await new Promise<void>((resolve) => client.once("ready", () => resolve()));
    await store.heartbeat("n1", T0);
  });
  afterEach(async () => {
    await deleteKeys(direct, prefix);
    client.disconnect();
    direct.disconnect();
    await proxy.close();
  });

  async function join(playerId: string): Promise<void> {
    await store.openSession("pong", playerId, "n1", 1, T0);
    await store.enqueue({ ticketId: `t-${playerId}`, playerId, name: playerId, game: "pong", mode: "default" }, T0, E1200);
  }

  it("a pair whose reply was lost answers the match its first run made, and makes no other", async () => {
    // Redis knows the script already (EVALSHA runs it, rather than answering NOSCRIPT).
    expect(await store.pair("pong", "default", T0, RULES, ["m0"])).toEqual([]);
    await join("a");
    await join("b");
    const cut = proxy.cutAfterCommand('"matchIds"');
    const made = await store.pair("pong", "default", T0, RULES, ["m1", "m2"]);
    await cut;
    expect(proxy.cuts).toBe(1);
    expect(made.map((m) => [m.matchId, m.players.map((p) => p.playerId).sort()])).toEqual([["m1", ["a", "b"]]]);
    expect(await direct.hget(key("p", "pong", "a"), "match")).toBe("m1");
    expect(await direct.hget(key("m", "m1"), "state")).toBe("ready_check");
    expect(await direct.exists(key("m", "m2"))).toBe(0);
  });

  it("an enqueue whose reply was lost answers the ticket, not ALREADY_QUEUED", async () => {
    await join("z"); // Redis knows the script already
    await store.openSession("pong", "a", "n1", 1, T0);
    const cut = proxy.cutAfterCommand('"ticketId"');
    const ticket = await store.enqueue({ ticketId: "t-a", playerId: "a", name: "a", game: "pong", mode: "default" }, T0, E1200);
    await cut;
    expect(proxy.cuts).toBe(1);
    expect(ticket).toMatchObject({ ticketId: "t-a", playerId: "a" });
  });

  it("an offer put (a challenge, a private code) whose reply was lost answers that it was put, and a second put is refused", async () => {
    expect(await store.putOffer("pong", "ch:warm", "{}", 60_000)).toBe(true); // Redis knows the script already
    const cut = proxy.cutAfterCommand("ch:c1");
    expect(await store.putOffer("pong", "ch:c1", '{"from":"a"}', 60_000)).toBe(true);
    await cut;
    expect(proxy.cuts).toBe(1);
    expect(await direct.get(key("ch", "c1"))).toBe('{"from":"a"}');
    expect(await store.putOffer("pong", "ch:c1", '{"from":"b"}', 60_000)).toBe(false);
    expect(await store.getOffer("pong", "ch:c1")).toBe('{"from":"a"}');
  });

  it("an offer dropped (accepted, declined) whose reply was lost answers that it was dropped, and a second drop finds none", async () => {
    await store.putOffer("pong", "ch:c1", "{}", 60_000);
    expect(await store.dropOffer("pong", "ch:warm")).toBe(false); // Redis knows the script already
    const cut = proxy.cutAfterCommand("ch:c1");
    expect(await store.dropOffer("pong", "ch:c1")).toBe(true);
    await cut;
    expect(proxy.cuts).toBe(1);
    expect(await direct.exists(key("ch", "c1"))).toBe(0);
    expect(await store.dropOffer("pong", "ch:c1")).toBe(false);
  });

  it("a pointer to a match that is gone is stale: the player can queue again", async () => {
    await join("a");
    await join("b");
    const [match] = await store.pair("pong", "default", T0, RULES, ["m1"]);
    expect(match?.matchId).toBe("m1");
    await store.openSession("pong", "a", "n1", 2, T0);
    await expect(store.enqueue({ ticketId: "t-a2", playerId: "a", name: "a", game: "pong", mode: "default" }, T0, E1200)).rejects.toMatchObject({
      code: "ALREADY_IN_MATCH",
    });
    await direct.del(key("m", "m1")); // lost: expired by its safety net, or by a bug
    expect(await store.enqueue({ ticketId: "t-a2", playerId: "a", name: "a", game: "pong", mode: "default" }, T0, E1200)).toMatchObject({ ticketId: "t-a2" });
    expect(await direct.hget(key("p", "pong", "a"), "match")).toBeNull();
  });

  it("player and match keys expire as a safety net; a ticket that waited an hour is dropped by the next pairing pass", async () => {
    await join("a");
    const hour = 3_600_000;
    expect(await direct.hexists(key("tk", "pong"), "t-a")).toBe(1);
    expect(await direct.pttl(key("p", "pong", "a"))).toBeGreaterThan(24 * hour);
    await join("b");
    await store.pair("pong", "default", T0, RULES, ["m1"]);
    expect(await direct.pttl(key("m", "m1"))).toBeGreaterThan(23 * hour);
    expect(await direct.hexists(key("tk", "pong"), "t-a")).toBe(0);
    // A ticket left behind (its player's node never swept, by a bug): the pass that comes upon it an hour on drops it.
    await join("c");
    expect(await store.pair("pong", "default", T0 + hour - 1, RULES, ["m2"])).toEqual([]);
    expect(await direct.hexists(key("tk", "pong"), "t-c")).toBe(1);
    expect(await store.pair("pong", "default", T0 + hour + 1, RULES, ["m3"])).toEqual([]);
    expect(await direct.hexists(key("tk", "pong"), "t-c")).toBe(0);
    expect(await direct.zcard(key("qa", "pong", "default"))).toBe(0);
    expect(await direct.hget(key("p", "pong", "c"), "ticket")).toBeNull();
  });
});
