import { afterEach, describe, expect, it } from "vitest";
import { connect, fetchGuestToken, type ArenaClient } from "../clients/sdk/index.ts";
import type { MatchEnd, MatchFound, MatchStart } from "../protocol/index.ts";
import { eventually } from "./support/clients.ts";
import { freePort } from "./support/redis-process.ts";
import { spawnNode, testPrefix, testSecret, type ChildNode } from "./support/servers.ts";
import { redisEnv } from "./support/servers.ts";

/** A counter's value summed over its label sets, from a node's /metrics. */
async function counter(node: ChildNode, name: string, labels = ""): Promise<number> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  let total = 0;
  for (const line of text.split("\n")) if (line.startsWith(name) && line.includes(labels)) total += Number(line.split(" ").pop());
  return total;
}

const relayed = (node: ChildNode) => counter(node, "arena_relay_messages_total");

function next<T>(client: ArenaClient, event: "found" | "start" | "end"): Promise<T> {
  return new Promise((resolve) => {
    const off = client.on(event, ((payload: T) => {
      off();
      resolve(payload);
    }) as never);
  });
}

const nodes: ChildNode[] = [];
const clients: ArenaClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(nodes.splice(0).map((n) => n.kill()));
});

describe.each(["redis", "redis-cluster"] as const)("players play on their match's host (%s)", (redis) => {
  it("3 nodes: the host is chosen at pairing, the other player moves there, and no node relays anything during the match", async () => {
    const base = { ENGINE: "uws", ...redisEnv(redis), REDIS_PREFIX: testPrefix(), ARENA_SECRET: testSecret(), MATCHMAKER_INTERVAL_MS: "30" };
    const ports = await Promise.all([freePort(), freePort(), freePort()]);
    const spawned = await Promise.all(
      ports.map((port, i) => spawnNode({ ...base, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, REGION: "eu-west", NODE_ID: `host-test-${i}` })),
    );
    nodes.push(...spawned);
    const [a, b, c] = spawned as [ChildNode, ChildNode, ChildNode];
    const join = async (node: ChildNode, name: string) => {
      const identity = await fetchGuestToken(node.url, name);
      const client = connect({ url: node.url, game: "pong", token: identity.token, autoReady: true });
      clients.push(client);
      await client.connected();
      return { client, identity };
    };
    const ann = await join(b, "Ann");
    const bob = await join(c, "Bob");
    const found = [next<MatchFound>(ann.client, "found"), next<MatchFound>(bob.client, "found")];
    const started = [next<MatchStart>(ann.client, "start"), next<MatchStart>(bob.client, "start")];
    const moved = new Promise<string>((resolve) => bob.client.on("moved", resolve));
    await ann.client.queue();
    await bob.client.queue();
    const [fa, fb] = await Promise.all(found);
    // Ann queued first: her node hosts, and both are told where it is.
    expect(fa!.host).toEqual({ node: b.nodeId, url: b.url, region: "eu-west" });
    expect(fb!.host).toEqual(fa!.host);
    expect(fa!.mode).toBe("ranked");
    expect(fa!.quality).toEqual({ winChance: 0.5, ratingGap: 0, waitedMs: expect.any(Number) });
    expect(await moved).toBe(b.url);
    await Promise.all(started);
    expect(bob.client.url).toBe(b.url);
    const before = await Promise.all(spawned.map(relayed));
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const ended = [next<MatchEnd>(ann.client, "end"), next<MatchEnd>(bob.client, "end")];
    await ann.client.forfeit();
    const [end] = await Promise.all(ended);
    expect(end).toMatchObject({ reason: "forfeit", winner: bob.identity.playerId });
    const after = await Promise.all(spawned.map(relayed));
    expect(after).toEqual(before);
    // every state was acknowledged to the host directly: its RTT count grew, and no node was in between
    await eventually(async () => (await counter(b, "arena_state_ack_rtt_seconds_count")) > 20, 3000, "acks on the host");
    expect(await counter(a, "arena_state_ack_rtt_seconds_count")).toBe(0);
    expect(await counter(c, "arena_state_ack_rtt_seconds_count")).toBe(0);
  });
});
