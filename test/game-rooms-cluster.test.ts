import { afterEach, describe, expect, it } from "vitest";
import type { MatchEnd, MatchStart } from "../protocol/index.ts";
import type { PongView } from "../game-rooms/games/pong/index.ts";
import { closeAllClients, connectGuest, eventually, request, waitFor } from "./support/clients.ts";
import { histogramCount, startMatch } from "./support/players.ts";
import { redisEnv, SETUPS, spawnNode, testPrefix, testSecret, type ChildNode, type RedisKind, stopAll } from "./support/servers.ts";

function cluster(engine: string, redis: RedisKind, extra: Record<string, string> = {}) {
  return { ENGINE: engine, ...redisEnv(redis), REDIS_PREFIX: testPrefix(), ARENA_SECRET: testSecret(), MATCHMAKER_INTERVAL_MS: "30", ...extra };
}

const nodes: ChildNode[] = [];
afterEach(async () => {
  closeAllClients();
  await stopAll(nodes);
});

/** The node that logged the start of a match (logs arrive a little after the clients hear of it). */
async function hostOf(matchId: string): Promise<ChildNode> {
  const find = () => nodes.find((n) => n.logs.some((l) => l.msg === "match started" && l.matchId === matchId));
  await eventually(() => find() !== undefined, 3000, `a node logging the start of ${matchId}`);
  return find()!;
}

/** A node's exact state-stream counters (`GET /metrics/latency`). */
async function counters(node: ChildNode): Promise<Record<string, number>> {
  return ((await (await fetch(`${node.url}/metrics/latency`)).json()) as { counters: Record<string, number> }).counters;
}

describe.each(SETUPS)("matches across two nodes (%s, %s)", (engine, redis) => {
  it("plays tictactoe to the end with the players on different nodes", async () => {
    const env = cluster(engine, redis);
    nodes.push(...(await Promise.all([spawnNode(env), spawnNode(env)])));
    const [a, b] = nodes as [ChildNode, ChildNode];
    const match = await startMatch("tictactoe", [a.url, b.url]);
    let seq = 0;
    for (const [i, cell] of [0, 3, 1, 4, 2].entries()) {
      const answer = await match.seats[i % 2]!.send("game:input", { matchId: match.matchId, seq: ++seq, input: { cell } });
      expect(answer).toMatchObject({ ok: true });
    }
    const wrong = await match.seats[1].send("game:input", { matchId: match.matchId, seq: ++seq, input: { cell: 8 } });
    // the fifth move won: the match is over
    expect(wrong).toMatchObject({ ok: false, error: { code: "UNKNOWN_MATCH" } });
    const [end] = await match.ends;
    expect(end).toMatchObject({ reason: "win", winner: match.seats[0].playerId });
    expect(match.seats.every((p) => p.acked > 0)).toBe(true);
  });

  it("plays pong across nodes; every acknowledged state reaches the host's RTT metrics", async () => {
    const env = cluster(engine, redis, { PONG_BALL_SPEED: "3", PONG_TICK_RATE: "60", PONG_POINTS: "3" });
    nodes.push(...(await Promise.all([spawnNode(env), spawnNode(env)])));
    const [a, b] = nodes as [ChildNode, ChildNode];
    const match = await startMatch("pong", [a.url, b.url]);
    const [left, right] = match.seats;
    let seq = 0;
    right.onState = (payload) => {
      const view = payload.state as PongView;
      const dir = view.ball.y > view.paddles[1] + 0.02 ? 1 : view.ball.y < view.paddles[1] - 0.02 ? -1 : 0;
      // an input still in flight when the test closes its clients is refused: not part of this check
      right.send("game:input", { matchId: match.matchId, seq: ++seq, input: { dir } }).catch(() => undefined);
    };
    const [end] = await match.ends;
    expect(end.reason).toBe("win");
    const host = await hostOf(match.matchId);
    // Every ack the players sent is accounted for on one node or the other: taken by the host's room
    // or dropped. On a machine that stalls, an ack can come after its room forgot the tick's send
    // time (taken, untimed) or after the room is gone (dropped): exact either way, with no timing.
    const sent = left.acked + right.acked;
    let accounted = 0;
    await eventually(
      async () => {
        const all = await Promise.all(nodes.map(counters));
        accounted = all.reduce((n, c) => n + c.stateAcks! + c.stateAcksExtra! + c.stateAcksDropped!, 0);
        return accounted === sent;
      },
      15_000,
      "every ack accounted for",
    ).catch((error: Error) => {
      throw new Error(`${error.message}: ${sent} sent, ${accounted} accounted for`);
    });
    // Every ack the host's room took with its send time known is one round trip in its metrics.
    const onHost = await counters(host);
    const timed = onHost.stateAcks! + onHost.stateAcksExtra! - onHost.stateAcksUntimed!;
    expect(await histogramCount(host.url, "arena_state_ack_rtt_seconds")).toBe(timed);
    expect(left.acked).toBeGreaterThan(10);
    expect(timed).toBeGreaterThan(10);
  }, 90_000);
});

describe.each(["redis", "redis-cluster"] as const)("a host node that dies (%s)", (redis) => {
  it("another node adopts its match: the player still connected gets match:resumed from there, and the seat of the one who never comes back is forfeited after the grace period", async () => {
    const env = cluster("uws", redis, { HOST_LEASE_MS: "600", RECONNECT_GRACE_MS: "1500", SNAPSHOT_INTERVAL_MS: "200" });
    nodes.push(...(await Promise.all([spawnNode(env), spawnNode(env)])));
    const [a, b] = nodes as [ChildNode, ChildNode];
    const match = await startMatch("tictactoe", [a.url, b.url]);
    const host = await hostOf(match.matchId);
    const survivor = match.seats.find((p) => (host === a ? p.name === "Bob" : p.name === "Ann"))!;
    const other = host === a ? b : a;
    // a move the snapshot keeps: the resumed board shows it
    expect(await match.seats[0].send("game:input", { matchId: match.matchId, seq: 1, input: { cell: 4 } })).toMatchObject({ ok: true });
    await eventually(() => survivor.states.some((s) => (s.state as { board: unknown[] }).board[4] === 0), 3000, "the move seen");
    await new Promise((resolve) => setTimeout(resolve, 1000)); // snapshot rounds after the move (every 200 ms)
    const resumed = waitFor<MatchStart & { host: { node: string } }>(survivor.socket, "match:resumed", 8000);
    const ended = waitFor<MatchEnd>(survivor.socket, "match:end", 10_000);
    await host.kill("SIGKILL");
    const start = await resumed;
    expect(start).toMatchObject({ matchId: match.matchId, seat: match.seats.indexOf(survivor), host: { node: other.nodeId } });
    expect((start.state as { board: unknown[] }).board[4]).toBe(0);
    expect(await ended).toMatchObject({ matchId: match.matchId, reason: "abandoned", winner: survivor.playerId });
    expect(other.logs.some((l) => l.matchId === match.matchId && /adopted/.test(String(l.msg)))).toBe(true);
    expect(await request(survivor.socket, "queue:join", {})).toMatchObject({ ok: true });
  });

  it("without snapshots (SNAPSHOT_INTERVAL_MS=0) no node can resume its matches: they end aborted for the surviving player, who can queue again", async () => {
    const env = cluster("uws", redis, { HOST_LEASE_MS: "600", SNAPSHOT_INTERVAL_MS: "0" });
    nodes.push(...(await Promise.all([spawnNode(env), spawnNode(env)])));
    const [a, b] = nodes as [ChildNode, ChildNode];
    const match = await startMatch("tictactoe", [a.url, b.url]);
    const host = await hostOf(match.matchId);
    const survivor = match.seats.find((p) => (host === a ? p.name === "Bob" : p.name === "Ann"))!;
    const ended = waitFor<MatchEnd>(survivor.socket, "match:end", 8000);
    await host.kill("SIGKILL");
    expect(await ended).toMatchObject({ matchId: match.matchId, reason: "aborted", winner: null });
    expect(await request(survivor.socket, "queue:join", {})).toMatchObject({ ok: true });
  });
});

describe.each(["redis", "redis-cluster"] as const)("a player's node that dies mid-match (%s)", (redis) => {
  it("the host holds the seat for the grace period, then ends the match abandoned for the survivor", async () => {
    const env = cluster("uws", redis, { TICKET_TTL_MS: "1500", RECONNECT_GRACE_MS: "500" });
    nodes.push(...(await Promise.all([spawnNode(env), spawnNode(env)])));
    const [a, b] = nodes as [ChildNode, ChildNode];
    // Ann on a queues first, so a hosts the room (chosen at pairing): killing b only takes Bob's connection
    const match = await startMatch("pong", [a.url, b.url]);
    expect(await hostOf(match.matchId)).toBe(a);
    const ann = match.seats.find((p) => p.name === "Ann")!;
    const ended = waitFor<MatchEnd>(ann.socket, "match:end", 10_000);
    await b.kill("SIGKILL");
    expect(await ended).toMatchObject({ matchId: match.matchId, reason: "abandoned", winner: ann.playerId });
    expect(await request(ann.socket, "queue:join", {})).toMatchObject({ ok: true });
  });
});

describe("graceful drain", () => {
  it("SIGTERM: readyz 503 at once, new joins UNAVAILABLE, the running match ends aborted at the deadline, exit 0", async () => {
    const node = await spawnNode({ ENGINE: "ws", SHUTDOWN_GRACE_MS: "800", MATCHMAKER_INTERVAL_MS: "30" });
    nodes.push(node);
    const match = await startMatch("tictactoe", [node.url, node.url]);
    const { socket } = await connectGuest(node.url, "pong");
    const exit = node.process.kill("SIGTERM");
    expect(exit).toBe(true);
    await eventually(
      async () =>
        (await fetch(`${node.url}/readyz`).then(
          (r) => r.status,
          () => 0,
        )) === 503,
      2000,
      "503",
    );
    expect(await request(socket, "queue:join", {})).toMatchObject({ ok: false, error: { code: "UNAVAILABLE" } });
    expect(await match.seats[0].send("game:input", { matchId: match.matchId, seq: 1, input: { cell: 4 } })).toMatchObject({ ok: true });
    const [end] = await match.ends;
    expect(end).toMatchObject({ reason: "aborted", winner: null });
    expect(await node.exited).toMatchObject({ code: 0 });
  });
});
