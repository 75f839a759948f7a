import { afterEach, describe, inject, it } from "vitest";
import { FaultProxy } from "../harness/index.ts";
import { endComesBeforeNextMatch } from "./support/causal-scenario.ts";
import { closeAllClients } from "./support/clients.ts";
import { spawnNode, stopAll, testPrefix, testSecret, type ChildNode } from "./support/servers.ts";

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
    await endComesBeforeNextMatch(a, b, secret);
  }, 60_000);
});
