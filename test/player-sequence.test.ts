import { afterEach, describe, expect, inject, it } from "vitest";
import type { RelayMessage } from "../game-rooms/index.ts";
import { Registry } from "prom-client";
import { redisStore, type Stamp } from "../matchmaker/index.ts";
import { openRedis, type RedisClient } from "../server/redis.ts";
import { createRelayCounters, RedisRelay } from "../server/relay/relay.ts";
import { closeAllClients, connect, recordMatchEvents, eventually } from "./support/clients.ts";
import { spawnNode, stopAll, testPrefix, testSecret, type ChildNode } from "./support/servers.ts";
import { deleteKeys } from "./support/stores.ts";
import { signToken } from "./support/tokens.ts";

const GAME = "tictactoe";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const nodes: ChildNode[] = [];
const redises: RedisClient[] = [];
let relay: RedisRelay | undefined;
let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  closeAllClients();
  await stopAll(nodes);
  await relay?.close();
  relay = undefined;
  await cleanup?.();
  cleanup = undefined;
  for (const r of redises.splice(0)) r.disconnect();
});

/**
 * Events about a player's place come from whichever node changed it, each numbered by the store in
 * the step that changed it. Here the test plays another node: it changes the player's place in the
 * store (real stamps) and sends the events to the player's node through the relay itself, in the
 * wrong order, twice, or not at all.
 */
describe("a player's events are handed over in the store's order", () => {
  it("reordered relay messages wait for the ones before them; repeats are dropped; a number that never comes is given up once the store says it is old", async () => {
    const prefix = testPrefix();
    const secret = testSecret();
    const url = inject("redisUrl");
    const node = await spawnNode({ ENGINE: "uws", REDIS_URL: url, REDIS_PREFIX: prefix, ARENA_SECRET: secret, NODE_ID: "target" });
    nodes.push(node);
    const exp = Math.floor(Date.now() / 1000) + 600;
    const player = async (sub: string) => connect(node.url, GAME, await signToken(secret, { sub, exp }));
    const a = await player("seq-a");
    await player("seq-b");
    const events = recordMatchEvents(a);

    const redis = openRedis(url, false, {});
    redises.push(redis);
    const store = redisStore(redis, prefix, [GAME]);
    cleanup = () => deleteKeys(redis, prefix);
    const pub = openRedis(url, false, {});
    const sub = openRedis(url, false, {});
    redises.push(pub, sub);
    relay = new RedisRelay(pub, sub, prefix, "elsewhere", false, createRelayCounters(new Registry()));
    // The players' sessions are open on the node (the store names it) before anything is stamped.
    await eventually(async () => (await store.sessionNode(GAME, "seq-a")) === "target" && (await store.sessionNode(GAME, "seq-b")) === "target");

    let n = 0;
    const made = async () => {
      const match = await store.makeMatch(GAME, {
        matchId: `seq-m${++n}`,
        mode: "casual",
        players: ["seq-a", "seq-b"],
        now: Date.now(),
        readyTimeoutMs: 600_000,
        initial: { rating: 1200, mu: 25, sigma: 8 },
      });
      return { matchId: match.matchId, stamp: match.stamps![0] };
    };
    const cancelled = async (matchId: string) => {
      const cancellation = await store.cancelReadyCheck(GAME, matchId, "ready_timeout");
      return cancellation!.seats[0]!.stamp;
    };
    const send = (event: "match:found" | "match:cancelled", matchId: string, stamp: Stamp) => {
      expect(stamp.node).toBe("target");
      const message: RelayMessage = { t: "player", game: GAME, playerId: "seq-a", event, payload: { matchId } as never, seq: stamp.seq };
      relay!.send("target", message);
    };

    // found (n), then cancelled (n+1), sent the other way round
    const first = await made();
    const firstEnd = await cancelled(first.matchId);
    expect(firstEnd.seq).toBe(first.stamp.seq + 1);
    send("match:cancelled", first.matchId, firstEnd);
    await sleep(500);
    expect(events).toEqual([]);
    send("match:found", first.matchId, first.stamp);
    await eventually(() => events.length === 2);
    expect(events).toEqual([`match:found ${first.matchId}`, `match:cancelled ${first.matchId}`]);

    // both sent again (a node that took over a dead one's work tells again), then the next match: only the next one comes
    const second = await made();
    send("match:found", first.matchId, first.stamp);
    send("match:cancelled", first.matchId, firstEnd);
    send("match:found", second.matchId, second.stamp);
    await eventually(() => events.length === 3);
    const secondEnd = await cancelled(second.matchId);
    send("match:cancelled", second.matchId, secondEnd);
    await eventually(() => events.length === 4);
    expect(events.slice(2)).toEqual([`match:found ${second.matchId}`, `match:cancelled ${second.matchId}`]);

    // a found whose sender died before sending it: its cancellation waits, then goes once the store says the found was stamped long ago
    const third = await made();
    const thirdEnd = await cancelled(third.matchId);
    const sentAt = Date.now();
    send("match:cancelled", third.matchId, thirdEnd);
    await sleep(1000);
    expect(events).toHaveLength(4);
    await eventually(() => events.length === 5, 60_000, "the cancellation after a lost found");
    expect(events[4]).toBe(`match:cancelled ${third.matchId}`);
    // held until the missing found was older than any event can travel (GAP_MS, 12 s)
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(11_000);
  });
});
