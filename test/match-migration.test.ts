import { afterEach, describe, expect, it } from "vitest";
import { connect, fetchGuestToken, fetchReplay, type ArenaClient } from "../clients/sdk/index.ts";
import { startLocalCluster, type LocalCluster } from "../harness/local-cluster.ts";
import type { MatchEnd, MatchFound, MatchStart } from "../protocol/index.ts";
import type { GameTypes } from "../game-rooms/index.ts";
import type pong from "../game-rooms/games/pong/index.ts";
import type { PongView } from "../game-rooms/games/pong/index.ts";
import { eventually } from "./support/clients.ts";
import { freePort } from "./support/redis-process.ts";

let cluster: LocalCluster | undefined;
const clients: ArenaClient<GameTypes<typeof pong>>[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await cluster?.stop();
  cluster = undefined;
});

interface Resumed {
  start: MatchStart<PongView>;
  /** The node the client was connected to when it heard it. */
  url: string;
}

describe("a match's host killed with SIGKILL (Redis Cluster, 3 nodes, HAProxy)", () => {
  it("another node adopts the match from its snapshot; both players move there, get match:resumed and finish it", async () => {
    cluster = await startLocalCluster({ nodes: 3, port: await freePort(), env: { MATCHMAKER_INTERVAL_MS: "30", PONG_POINTS: "1000" } });
    const { url } = cluster;
    const join = async (name: string) => {
      const identity = await fetchGuestToken(url, name);
      const client = connect<GameTypes<typeof pong>>({ url, game: "pong", token: identity.token, autoReady: true });
      clients.push(client);
      await client.connected();
      const resumed: Resumed[] = [];
      client.on("resumed", (start) => resumed.push({ start, url: client.url }));
      return { client, resumed, playerId: identity.playerId };
    };
    const ann = await join("Ann");
    const bob = await join("Bob");
    const found = new Promise<MatchFound>((resolve) => ann.client.on("found", resolve));
    const started = Promise.all([ann, bob].map((p) => new Promise((resolve) => p.client.on("start", resolve))));
    await ann.client.queue();
    await bob.client.queue();
    const { host, matchId } = await found;
    await started;
    expect([ann.client.url, bob.client.url]).toEqual([host.url, host.url]);
    // Play long enough for the host to write a few snapshots, Ann's paddle moving.
    ann.client.sendInput({ dir: 1 });
    await eventually(() => (ann.client.lastState?.tick ?? 0) >= 75, 10_000, "2.5 s of play");
    const tickAtKill = Math.max(ann.client.lastState!.tick, bob.client.lastState!.tick);
    const doomed = cluster.nodes.find((n) => n.nodeId === host.node)!;
    await doomed.kill("SIGKILL");

    // Each client hears `match:resumed` through the node HAProxy gives it, moves to the adopter,
    // and hears it again there; both end up on the same live node.
    const onAdopter = (p: { resumed: Resumed[] }) => p.resumed.find((r) => r.start.host?.url === r.url);
    await eventually(() => onAdopter(ann) !== undefined && onAdopter(bob) !== undefined, 12_000, "both resumed on the adopter");
    const adopted = onAdopter(ann)!.start;
    expect(adopted.host!.node).not.toBe(host.node);
    expect(onAdopter(bob)!.start.host!.node).toBe(adopted.host!.node);
    expect([ann.client.url, bob.client.url]).toEqual([adopted.host!.url, adopted.host!.url]);
    expect(adopted).toMatchObject({ matchId, seat: 0, tickRate: 30 });
    // Resumed from a snapshot of the running match, not started over.
    expect(adopted.tick).toBeGreaterThan(0);
    expect(adopted.tick).toBeLessThanOrEqual(tickAtKill + 10);
    expect(adopted.state.paddles[0]).toBeGreaterThan(0.5);

    // The match goes on there: states after the snapshot's tick, and an end that both hear.
    await eventually(() => (ann.client.lastState?.tick ?? 0) > adopted.tick + 15 && (bob.client.lastState?.tick ?? 0) > adopted.tick + 15, 10_000, "ticking");
    const ends = [ann, bob].map((p) => new Promise<MatchEnd>((resolve) => p.client.on("end", resolve)));
    await bob.client.forfeit();
    for (const end of await Promise.all(ends)) expect(end).toMatchObject({ matchId, reason: "forfeit", winner: ann.playerId });

    // The replay keeps the inputs applied before the host died: the snapshot carried the log.
    const replay = await fetchReplay(url, matchId);
    expect(replay.inputs.some((i) => i.seat === 0 && (i.input as { dir: number }).dir === 1 && i.tick <= adopted.tick)).toBe(true);
    expect(replay.end.tick).toBeGreaterThan(adopted.tick);
    const adopter = cluster.nodes.find((n) => n.nodeId === adopted.host!.node)!;
    expect(adopter.logs.some((l) => l.matchId === matchId && l.from === host.node && /adopted/.test(String(l.msg)))).toBe(true);
    expect(cluster.nodes.flatMap((n) => n.logs).some((l) => l.matchId === matchId && /aborted/.test(String(l.msg)))).toBe(false);
  }, 60_000);
});
