import { afterEach, describe, expect, it } from "vitest";
import type { MatchFound, MatchStart } from "../protocol/index.ts";
import { measureLatencies } from "../clients/sdk/index.ts";
import { closeAllClients, connectGuest, request, waitFor } from "./support/clients.ts";
import { redisEnv, spawnNode, testPrefix, testSecret, type ChildNode, type RedisKind } from "./support/servers.ts";

const nodes: ChildNode[] = [];
afterEach(async () => {
  closeAllClients();
  await Promise.all(nodes.splice(0).map((n) => n.kill()));
});

describe.each(["redis", "redis-cluster"] as const)("regions and latency-aware pairing (%s)", (redis: RedisKind) => {
  it("two players whose only shared region is far away wait until both latency windows cover it, then play on a node there", async () => {
    const env = {
      ENGINE: "uws",
      ...redisEnv(redis),
      REDIS_PREFIX: testPrefix(),
      ARENA_SECRET: testSecret(),
      MATCHMAKER_INTERVAL_MS: "50",
      LATENCY_WINDOW_MS: "80",
      LATENCY_WINDOW_WIDEN_PER_SECOND: "40",
      LATENCY_WINDOW_MAX_MS: "300",
    };
    nodes.push(...(await Promise.all(["eu-west", "us-east", "ap-south"].map((region) => spawnNode({ ...env, REGION: region })))));
    const [eu, us, ap] = nodes as [ChildNode, ChildNode, ChildNode];
    const west = await connectGuest(eu.url, "tictactoe", "West");
    const east = await connectGuest(ap.url, "tictactoe", "East");
    const found = [waitFor<MatchFound>(west.socket, "match:found", 10_000), waitFor<MatchFound>(east.socket, "match:found", 10_000)];
    const queuedAt = Date.now();
    expect(await request(west.socket, "queue:join", { latencies: { "eu-west": 20, "us-east": 180 } })).toMatchObject({ ok: true });
    expect(await request(east.socket, "queue:join", { latencies: { "ap-south": 25, "us-east": 170 } })).toMatchObject({ ok: true });
    const [a, b] = await Promise.all(found);
    // 80 ms + 40 a second covers 180 ms after 2.5 s of waiting
    expect(Date.now() - queuedAt).toBeGreaterThanOrEqual(2400);
    expect(a!.quality.waitedMs).toBeGreaterThanOrEqual(2400);
    for (const f of [a!, b!]) expect(f.host).toMatchObject({ node: us.nodeId, region: "us-east" });
    // both stay on their own nodes and play through the cluster: the match runs on the us-east node
    const starts = [waitFor<MatchStart>(west.socket, "match:start", 5000), waitFor<MatchStart>(east.socket, "match:start", 5000)];
    await Promise.all([request(west.socket, "match:ready", { matchId: a!.matchId }), request(east.socket, "match:ready", { matchId: a!.matchId })]);
    await Promise.all(starts);
    expect(us.logs.some((l) => l.msg === "match started" && l.matchId === a!.matchId)).toBe(true);
    expect(eu.logs.some((l) => l.msg === "match started")).toBe(false);
  }, 60_000);

  it("queue:join refuses malformed latencies with BAD_REQUEST; the SDK measures the regions of GET /v1/regions", async () => {
    const env = { ENGINE: "uws", ...redisEnv(redis), REDIS_PREFIX: testPrefix(), ARENA_SECRET: testSecret(), REGION: "eu-west" };
    nodes.push(await spawnNode(env));
    const [node] = nodes as [ChildNode];
    const { socket } = await connectGuest(node.url, "pong");
    for (const latencies of [
      { "EU West": 10 },
      { "eu-west": -1 },
      { "eu-west": "fast" },
      Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`r${i}`, 1])),
    ]) {
      expect(await request(socket, "queue:join", { latencies })).toMatchObject({ ok: false, error: { code: "BAD_REQUEST" } });
    }
    const measured = await measureLatencies(node.url);
    expect(Object.keys(measured)).toEqual(["eu-west"]);
    expect(measured["eu-west"]).toBeGreaterThanOrEqual(0);
    expect(await request(socket, "queue:join", { latencies: measured })).toMatchObject({ ok: true });
  });
});
