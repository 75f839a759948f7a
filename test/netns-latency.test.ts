import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect as connectSdk, fetchGuestToken, type ArenaClient } from "../clients/sdk/index.ts";
import type pong from "../game-rooms/games/pong/index.ts";
import type { GameTypes } from "../game-rooms/index.ts";
import { percentile } from "../bench/stats.ts";
import { NetTopology } from "../harness/netns.ts";
import type { MatchFound, MatchMoving } from "../protocol/index.ts";
import { endComesBeforeNextMatch } from "./support/causal-scenario.ts";
import { closeAllClients, connectGuest, eventually, request, waitFor } from "./support/clients.ts";
import { spawnNode, testPrefix, testSecret, type ChildNode } from "./support/servers.ts";

/**
 * Arena on a network with real distances: Redis in one network namespace, a node per region in
 * others, each with its own round trip to Redis (nodes reach each other through Redis: the relay),
 * and each region's clients with their own round trip to their node. Latency is added by proxies
 * in the middle of each path (harness/netns.ts: this kernel has no netem). Asserts behaviour, and
 * prints the times it saw.
 */
const REGIONS = [
  { region: "eu-west", redisRttMs: 20 },
  { region: "us-east", redisRttMs: 50 },
  { region: "ap-south", redisRttMs: 80 },
] as const;
/** A region's clients to their node, round trip. */
const CLIENT_RTT_MS = 30;
/** How long a dead host's matches wait before another node adopts them (the default, said here for the report). */
const HOST_LEASE_MS = 1500;
const unavailable = NetTopology.unavailable();
if (unavailable) process.stdout.write(`netns-latency: skipped: ${unavailable}\n`);

interface Place {
  region: string;
  node: ChildNode;
  /** How this region's clients reach the node (its PUBLIC_URL). */
  url: string;
}

let topology: NetTopology | undefined;
const places: Place[] = [];
const secret = testSecret();
const sdkClients: ArenaClient<GameTypes<typeof pong>>[] = [];

const summary = (values: number[]) => `p50 ${Math.round(percentile(values, 50))} ms, max ${Math.round(Math.max(...values))} ms (${values.length})`;

describe.skipIf(unavailable)("on a network with real latency (network namespaces)", () => {
  beforeAll(async () => {
    topology = await NetTopology.create(["redis", ...REGIONS.map((r) => r.region)]);
    const redis = await topology.redis("redis");
    const env = {
      ENGINE: "uws",
      REDIS_PREFIX: testPrefix(),
      ARENA_SECRET: secret,
      MATCHMAKER_INTERVAL_MS: "50",
      LATENCY_WINDOW_MS: "100",
      LOG_LEVEL: "info",
      HOST_LEASE_MS: String(HOST_LEASE_MS),
    };
    for (const { region, redisRttMs } of REGIONS) {
      const host = topology.host(region);
      const toRedis = await topology.link(region, redis, redisRttMs / 2);
      const fromClients = await topology.link("here", { host: host.ip, port: 7000 }, CLIENT_RTT_MS / 2);
      const url = fromClients.from("http");
      const node = await spawnNode(
        { ...env, NODE_ID: region, REGION: region, PORT: "7000", REDIS_URL: toRedis.from("redis"), PUBLIC_URL: url },
        { netns: { name: host.name, ip: host.ip } },
      );
      places.push({ region, node, url });
    }
  }, 120_000);

  afterAll(async () => {
    closeAllClients();
    for (const client of sdkClients.splice(0)) client.close();
    await Promise.all(places.splice(0).map((p) => p.node.kill("SIGKILL").catch(() => undefined)));
    await topology?.destroy();
  });

  it("pairs each region's players on its own node, and a cross-region pair on the one region both reach; times to match:found and match:start", async () => {
    /** By the region of the match's host: from the later join's answer to the later match:found, and from there to the later match:start. */
    const overheads = new Map<string, number[]>();
    const toStart = new Map<string, number[]>();
    const note = (into: Map<string, number[]>, region: string, ms: number) => into.set(region, [...(into.get(region) ?? []), ms]);
    /** One pairing: joins both (their latencies as given), readies both once found; checks where it is hosted. */
    const pairing = async (players: { at: Place; latencies: Record<string, number> }[], hostRegion: string) => {
      const joined = await Promise.all(players.map(async (p) => ({ ...p, ...(await connectGuest(p.at.url, "tictactoe")) })));
      const found = joined.map((p) => waitFor<MatchFound>(p.socket, "match:found", 20_000).then((f) => ({ f, at: performance.now() })));
      const answered = await Promise.all(
        joined.map(async (p) => {
          expect(await request(p.socket, "queue:join", { mode: "casual", latencies: p.latencies })).toMatchObject({ ok: true });
          return performance.now();
        }),
      );
      const founds = await Promise.all(found);
      const matchId = founds[0]!.f.matchId;
      expect(new Set(founds.map((x) => x.f.matchId)).size).toBe(1);
      for (const { f } of founds) expect(f.host).toMatchObject({ node: hostRegion, region: hostRegion });
      const foundAt = Math.max(...founds.map((x) => x.at));
      note(overheads, hostRegion, foundAt - Math.max(...answered));
      const starts = joined.map((p) => waitFor(p.socket, "match:start", 20_000).then(() => performance.now()));
      await Promise.all(joined.map((p) => request(p.socket, "match:ready", { matchId })));
      note(toStart, hostRegion, Math.max(...(await Promise.all(starts))) - foundAt);
      await request(joined[0]!.socket, "match:leave", { matchId });
      return matchId;
    };
    for (let round = 0; round < 5; round++) {
      await Promise.all(
        places.map((at) =>
          pairing(
            [
              { at, latencies: { [at.region]: CLIENT_RTT_MS } },
              { at, latencies: { [at.region]: CLIENT_RTT_MS } },
            ],
            at.region,
          ),
        ),
      );
    }
    // West and east share only us-east within the window: the match runs there, each player stays on their own node.
    const [eu, us, ap] = places as [Place, Place, Place];
    const crossId = await pairing(
      [
        { at: eu, latencies: { "eu-west": 30, "us-east": 90 } },
        { at: ap, latencies: { "ap-south": 30, "us-east": 95 } },
      ],
      "us-east",
    );
    expect(us.node.logs.some((l) => l.msg === "match started" && l.matchId === crossId)).toBe(true);
    for (const { region, redisRttMs } of REGIONS) {
      const within = region === "us-east" ? " (with the cross-region pair)" : "";
      process.stdout.write(
        `netns-latency: host ${region} (${redisRttMs} ms to Redis)${within}: queue:join answered to match:found ${summary(overheads.get(region)!)}; match:found to match:start ${summary(toStart.get(region)!)}\n`,
      );
    }
  }, 120_000);

  it("the end of a match on a far node reaches a player before news of their next match", async () => {
    const [eu, , ap] = places as [Place, Place, Place];
    await endComesBeforeNextMatch({ url: eu.url }, { url: ap.url, nodeId: ap.region }, secret, {
      host: { "ap-south": CLIENT_RTT_MS },
      mover: { "eu-west": CLIENT_RTT_MS, "ap-south": 90 },
      next: { "eu-west": CLIENT_RTT_MS },
    });
  }, 60_000);

  it("a draining node hands its matches over: both players follow match:moving and the match goes on", async () => {
    const [eu] = places as [Place, Place, Place];
    const resumes: number[] = [];
    const join = async (name: string) => {
      const { token } = await fetchGuestToken(eu.url, name);
      const client = connectSdk<GameTypes<typeof pong>>({ url: eu.url, game: "pong", token, autoReady: true });
      sdkClients.push(client);
      await client.connected();
      let moved: { at: number; to: MatchMoving["host"] } | undefined;
      client.on("moving", (m: MatchMoving) => (moved = { at: performance.now(), to: m.host }));
      client.on("state", () => {
        if (moved && client.url === moved.to.url) {
          resumes.push(performance.now() - moved.at);
          moved = undefined;
        }
      });
      return client;
    };
    const players = [await join("Ann"), await join("Bob")];
    const started = Promise.all(players.map((c) => new Promise((resolve) => c.on("start", resolve))));
    for (const c of players) await c.queue({ latencies: { "eu-west": CLIENT_RTT_MS } });
    await started;
    await eventually(() => (players[0]!.lastState?.tick ?? 0) >= 30, 20_000, "a second of play");
    const matchId = players[0]!.matchId;
    await eu.node.kill("SIGTERM");
    await eventually(() => resumes.length === 2, 30_000, "both players get states from the new host");
    for (const c of players) {
      expect(c.matchId).toBe(matchId);
      expect(c.url).not.toBe(eu.url);
    }
    process.stdout.write(`netns-latency: drain hand-over, match:moving to the first state from the new host ${summary(resumes)}\n`);
  }, 90_000);

  it("a host killed with SIGKILL: its players come back through the load balancer and the match resumes on another node", async () => {
    const [, us, ap] = places as [Place, Place, Place];
    // The clients' entry: a load balancer in front of us-east and ap-south, each connection to the first that accepts it.
    const entry = await topology!.link(
      "here",
      [us, ap].map((p) => ({ host: topology!.host(p.region).ip, port: 7000 })),
      CLIENT_RTT_MS / 2,
    );
    const lb = entry.from("http");
    let killedAt = 0;
    const resumed: number[] = [];
    const firstStates: number[] = [];
    const join = async (name: string) => {
      const { token } = await fetchGuestToken(lb, name);
      const client = connectSdk<GameTypes<typeof pong>>({ url: lb, game: "pong", token, autoReady: true });
      sdkClients.push(client);
      await client.connected();
      let resumedAt: number | undefined;
      let stateSeen = false;
      client.on("resumed", () => {
        if (!killedAt || resumedAt !== undefined) return;
        resumedAt = performance.now();
        resumed.push(resumedAt - killedAt);
      });
      client.on("state", () => {
        // Each player's first state after its resumption, once.
        if (resumedAt === undefined || stateSeen) return;
        stateSeen = true;
        firstStates.push(performance.now() - killedAt);
      });
      return client;
    };
    const players = [await join("Cid"), await join("Dee")];
    const started = Promise.all(players.map((c) => new Promise((resolve) => c.on("start", resolve))));
    // Both near us-east only: the match is hosted there, and both players move to it.
    for (const c of players) await c.queue({ latencies: { "us-east": CLIENT_RTT_MS } });
    await started;
    for (const c of players) expect(c.url).toBe(us.url);
    await eventually(() => (players[0]!.lastState?.tick ?? 0) >= 45, 20_000, "a second and a half of play (a snapshot written)");
    const matchId = players[0]!.matchId;
    killedAt = performance.now();
    await us.node.kill("SIGKILL");
    await eventually(() => firstStates.length === 2, 30_000, "both players get states of the match again, from another node");
    for (const c of players) {
      expect(c.matchId).toBe(matchId);
      expect(c.url).not.toBe(us.url);
    }
    const adopters = places.filter(
      (p) => p !== us && p.node.logs.some((l) => l.matchId === matchId && String(l.msg).startsWith("match adopted from a host that died")),
    );
    expect(adopters.map((p) => p.region)).toEqual([ap.region]);
    process.stdout.write(
      `netns-latency: host SIGKILL (lease ${HOST_LEASE_MS} ms), from the kill to match:resumed ${summary(resumed)}; to the first state ${summary(firstStates)}\n`,
    );
    await entry.proxy.close();
  }, 90_000);
});
