import { performance } from "node:perf_hooks";
import { connect, fetchGuestToken, type ArenaClient } from "../../clients/sdk/index.ts";
import { startLocalCluster } from "../../harness/local-cluster.ts";
import { freePort } from "../../harness/private-redis.ts";
import type { MatchFound } from "../../protocol/index.ts";
import { percentile, round } from "../stats.ts";

interface Seat {
  client: ArenaClient;
  found?: MatchFound;
  started: boolean;
  /** When the client heard `match:resumed` on the adopter, and its first state after that (ms after the kill). */
  resumedMs?: number;
  stateMs?: number;
  ended?: string;
}

const until = async (check: () => boolean, ms: number) => {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  return check();
};

/**
 * Resume time after a host's SIGKILL: the production shape on this machine (a 3-master Redis
 * Cluster, 3 nodes, HAProxy), `players` SDK clients playing pong through HAProxy (so they move to
 * their match's host), then the node hosting the most matches is killed. Per player of its matches:
 * the time from the kill to `match:resumed` on the adopter, and to the first state there.
 * Servers, Redis, HAProxy and the clients (this process) share both cores, unpinned.
 */
export async function migration(players: number, onProgress: (label: string, done: number, total: number) => void): Promise<Record<string, unknown>> {
  const leaseMs = 1500;
  const cluster = await startLocalCluster({
    nodes: 3,
    port: await freePort(),
    env: { PONG_POINTS: "1000000", MATCHMAKER_INTERVAL_MS: "50", HOST_LEASE_MS: String(leaseMs), SNAPSHOT_INTERVAL_MS: "1000" },
  });
  const seats: Seat[] = [];
  try {
    for (let i = 0; i < players; i++) {
      const identity = await fetchGuestToken(cluster.url, `p${i}`);
      const client = connect({ url: cluster.url, game: "pong", token: identity.token, autoReady: true });
      const seat: Seat = { client, started: false };
      client.on("found", (found) => (seat.found = found));
      client.on("start", () => (seat.started = true));
      seats.push(seat);
      await client.connected();
      onProgress("migration: players connecting", i + 1, players);
    }
    await Promise.all(seats.map((s) => s.client.queue()));
    if (!(await until(() => seats.every((s) => s.started), 30_000))) throw new Error("not every match started within 30 s");
    // Let every host write snapshots of a match in play.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const perHost = new Map<string, number>();
    for (const s of seats) perHost.set(s.found!.host.node, (perHost.get(s.found!.host.node) ?? 0) + 1);
    const [victim] = [...perHost.entries()].sort((a, b) => b[1] - a[1])[0]!;
    const affected = seats.filter((s) => s.found!.host.node === victim);
    const cpuBefore = process.cpuUsage();
    const killedAt = performance.now();
    for (const s of affected) {
      s.client.on("resumed", (start) => {
        if (s.resumedMs !== undefined || start.host?.url !== s.client.url) return;
        s.resumedMs = performance.now() - killedAt;
        const off = s.client.on("state", () => {
          s.stateMs ??= performance.now() - killedAt;
          off();
        });
      });
      s.client.on("end", (end) => (s.ended = end.reason));
    }
    await cluster.nodes.find((n) => n.nodeId === victim)!.kill("SIGKILL");
    onProgress("migration: waiting for resumes", 0, 1);
    await until(() => affected.every((s) => s.stateMs !== undefined || s.ended !== undefined), 20_000);
    const wallMs = performance.now() - killedAt;
    const cpu = process.cpuUsage(cpuBefore);
    const resumed = affected.filter((s) => s.resumedMs !== undefined).map((s) => s.resumedMs!);
    const firstState = affected.filter((s) => s.stateMs !== undefined).map((s) => s.stateMs!);
    const ms = (values: number[], p: number) => (values.length ? round(percentile(values, p), 0) : null);
    return {
      kind: "migration",
      players,
      nodes: 3,
      store: "cluster",
      hostLeaseMs: leaseMs,
      snapshotIntervalMs: 1000,
      matchesOnKilledHost: affected.length / 2,
      playersAffected: affected.length,
      playersResumed: resumed.length,
      playersWithoutResume: affected.length - resumed.length,
      ended: Object.fromEntries([...new Set(affected.map((s) => s.ended).filter(Boolean))].map((r) => [r, affected.filter((s) => s.ended === r).length])),
      resumeMsP50: ms(resumed, 50),
      resumeMsP95: ms(resumed, 95),
      resumeMsMax: ms(resumed, 100),
      firstStateMsP50: ms(firstState, 50),
      firstStateMsMax: ms(firstState, 100),
      generatorCpuPercent: round(((cpu.user + cpu.system) / 1000 / wallMs) * 100, 1),
      cores: "unpinned: 3 nodes, a 3-master Redis Cluster, HAProxy and the SDK clients (the bench process) share both cores",
    };
  } finally {
    for (const s of seats) s.client.close();
    await cluster.stop();
  }
}
