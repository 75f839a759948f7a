import { decodeFromCompressedBase64 } from "hdr-histogram-js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { StreamSnapshot } from "../game-rooms/index.ts";
import { Fleet, type ServerKind } from "../bench/fleet.ts";
import { measureLevel } from "../bench/measure.ts";
import { closeAllClients, eventually } from "./support/clients.ts";
import { startMatch } from "./support/players.ts";
import { ENGINES, startServer, type InProcessServer } from "./support/servers.ts";

const latency = async (url: string, tickRate?: number) =>
  (await (await fetch(`${url}/metrics/latency${tickRate ? `?tickRate=${tickRate}` : ""}`)).json()) as StreamSnapshot;
const count = (encoded: string) => decodeFromCompressedBase64(encoded, 32).totalCount;

describe.each(ENGINES)("GET /metrics/latency: the state stream's exact accounting (%s)", (engine) => {
  let node: InProcessServer;
  beforeAll(async () => {
    node = await startServer({ ENGINE: engine, MATCHMAKER_INTERVAL_MS: "20", PONG_TICK_RATE: "60", PONG_POINTS: "1000" });
  });
  afterAll(() => node.stop());
  afterEach(() => closeAllClients());

  it("counts every state sent and acknowledged, one RTT per ack and one lateness per room tick", async () => {
    const before = await latency(node.url);
    const match = await startMatch("pong", [node.url, node.url]);
    const [left, right] = match.seats;
    await eventually(() => left.acked >= 30 && right.acked >= 30, 5000, "states flow");
    await left.send("game:input", { matchId: match.matchId, seq: 1, input: { dir: 1 } });
    await left.send("match:leave", { matchId: match.matchId });
    await match.ends;
    // The last acks travel after match:end; the counters settle once they land.
    await eventually(async () => (await latency(node.url)).counters.stateAcks - before.counters.stateAcks === left.acked + right.acked, 3000, "acks counted");
    const after = await latency(node.url);
    const sent = after.counters.statesSent - before.counters.statesSent;
    expect(sent).toBe(left.states.length + right.states.length);
    expect(after.counters.stateAcks - before.counters.stateAcks).toBe(sent);
    expect(after.counters.inputs - before.counters.inputs).toBe(1);
    expect(after.counters.roomsStarted - before.counters.roomsStarted).toBe(1);
    expect(count(after.histograms.rttUs) - count(before.histograms.rttUs)).toBe(sent);
    // One lateness per room tick: at least one per state tick of the match.
    expect(count(after.histograms.tickLatenessUs) - count(before.histograms.tickLatenessUs)).toBeGreaterThanOrEqual(left.states.length);
    expect(after.tickClock).toEqual({});
    expect(after.cpuUs).toBeGreaterThan(before.cpuUs);
    expect(after.node).toBe(node.server.config.nodeId);
  });
});

describe.each<[ServerKind, string]>([
  ["arena", "uws"],
  ["arena", "ws"],
  ["raw-uws", "uws"],
])("the bench's wire load generator against %s (%s)", (server, engine) => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await Fleet.start({
      server,
      engine,
      nodes: 1,
      store: "memory",
      client: "wire",
      game: "pong",
      generators: 1,
      env: { PONG_POINTS: "1000000" },
      tickRate: 30,
    });
  });
  afterAll(() => fleet?.stop());

  it("plays real matches and accounts for every state exactly", async () => {
    const empty = (await fleet.read()).servers[0]!.rssBytes;
    const { run, series } = await measureLevel(fleet, {
      players: 20,
      seconds: 2,
      tickRate: 30,
      emptyRssBytes: empty,
      engine,
      client: "wire",
      ackEvery: 1,
      inputAcks: true,
      encoding: "json",
    });
    expect(run).toMatchObject({ players: 20, unstartedPlayers: 0, errors: 0, disconnects: 0, acksLost: 0, statesUndelivered: 0 });
    // Read on the server's tick clock, a rate can never pass its maximum.
    expect(run.statesPerSecond).toBeLessThanOrEqual(run.statesDuePerSecond);
    expect(run.statesPerSecond).toBeGreaterThan(run.statesDuePerSecond * 0.5);
    expect(Math.max(...series.statesPerSecond)).toBeLessThanOrEqual(run.statesDuePerSecond);
    // Every third state brings an input, acknowledged with the tick that applied it.
    expect(run.inputsPerSecond).toBeGreaterThan(0);
    expect(run.rttUs.p50).toBeGreaterThan(0);
    expect(run.rttUs.p99!).toBeGreaterThanOrEqual(run.rttUs.p50!);
    expect(run.inputToStateUs.p50).toBeGreaterThan(0);
    expect(run.tickLatenessUs.p50).not.toBeNull();
    expect(run.serverCpuUsPerState).toBeGreaterThan(0);
    expect(run.generatorCpuUsPerState).toBeGreaterThan(0);
  });
});
