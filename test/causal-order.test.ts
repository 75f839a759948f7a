import { afterEach, describe, expect, inject, it } from "vitest";
import type { MatchFound } from "../protocol/index.ts";
import { FaultProxy } from "../harness/index.ts";
import { closeAllClients, connect, recordMatchEvents, eventually, request, waitFor } from "./support/clients.ts";
import { spawnNode, stopAll, testPrefix, testSecret, type ChildNode } from "./support/servers.ts";
import { signToken } from "./support/tokens.ts";

const nodes: ChildNode[] = [];
let proxy: FaultProxy | undefined;
afterEach(async () => {
  closeAllClients();
  await stopAll(nodes);
  await proxy?.close();
  proxy = undefined;
});

describe("events to one player arrive in causal order", () => {
  it("the end of a match comes before news of the next, though the end travels the long way", async () => {
    // Node B reaches Redis through 250 ms of latency: the end of a match it hosts reaches a player
    // on node A long after the store freed the player, who can be paired again on A at once.
    const target = new URL(inject("redisUrl"));
    proxy = await FaultProxy.start({ host: target.hostname, port: Number(target.port) });
    const secret = testSecret();
    const env = { ENGINE: "uws", REDIS_PREFIX: testPrefix(), ARENA_SECRET: secret, MATCHMAKER_INTERVAL_MS: "20" };
    const a = await spawnNode({ ...env, REDIS_URL: inject("redisUrl"), NODE_ID: "near" });
    nodes.push(a);
    const b = await spawnNode({ ...env, REDIS_URL: proxy.url(), NODE_ID: "far" });
    nodes.push(b);
    proxy.latency(250);
    const exp = Math.floor(Date.now() / 1000) + 600;
    const player = async (sub: string, node: ChildNode) => connect(node.url, "tictactoe", await signToken(secret, { sub, exp }));
    const host = await player("host-side", b);
    const mover = await player("mover", a);
    const events = recordMatchEvents(mover);

    // The first match: hosted on B (its first player's node).
    const found = Promise.all([waitFor<MatchFound>(host, "match:found", 10_000), waitFor<MatchFound>(mover, "match:found", 10_000)]);
    expect(await request(host, "queue:join", { mode: "casual" })).toMatchObject({ ok: true });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await request(mover, "queue:join", { mode: "casual" })).toMatchObject({ ok: true });
    const [first] = await found;
    expect(first.host.node).toBe("far");
    const started = Promise.all([waitFor(host, "match:start", 10_000), waitFor(mover, "match:start", 10_000)]);
    await Promise.all([request(host, "match:ready", { matchId: first.matchId }), request(mover, "match:ready", { matchId: first.matchId })]);
    await started;

    // Someone waits on A for the mover's next match; the host's player leaves the first one.
    const next = await player("next", a);
    expect(await request(next, "queue:join", { mode: "casual" })).toMatchObject({ ok: true });
    const nextFound = waitFor<MatchFound>(next, "match:found", 15_000);
    void request(host, "match:leave", { matchId: first.matchId });
    // The mover asks to queue again and again: it is let in the moment the store frees them.
    for (let joined = false; !joined; ) {
      const answer = await request(mover, "queue:join", { mode: "casual" });
      joined = answer.ok;
      if (!joined) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const second = await nextFound;
    await eventually(() => events.includes(`match:found ${second.matchId}`), 5000, "the mover told of the next match");
    expect(events.filter((e) => !e.startsWith("match:start"))).toEqual([
      `match:found ${first.matchId}`,
      `match:end ${first.matchId}`,
      `match:found ${second.matchId}`,
    ]);
  }, 60_000);
});
