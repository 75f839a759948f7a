import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { MatchFound } from "../protocol/index.ts";
import { closeAllClients, connectGuest, eventually, request, waitFor } from "./support/clients.ts";
import { redisEnv, SETUPS, spawnNode, testPrefix, testSecret, type ChildNode, type RedisKind, stopAll } from "./support/servers.ts";

function clusterEnv(engine: string, redis: RedisKind, extra: Record<string, string> = {}) {
  return { ENGINE: engine, ...redisEnv(redis), REDIS_PREFIX: testPrefix(), ARENA_SECRET: testSecret(), ...extra };
}

describe.each(SETUPS)("matchmaking across nodes (%s, %s)", (engine, redis) => {
  let a: ChildNode;
  let b: ChildNode;
  beforeAll(async () => {
    const env = clusterEnv(engine, redis, { MATCHMAKER_INTERVAL_MS: "50" });
    [a, b] = await Promise.all([spawnNode(env), spawnNode(env)]);
  });
  afterAll(async () => {
    closeAllClients();
    await Promise.all([a?.kill(), b?.kill()]);
  });

  it("pairs two players on two nodes, both get match:found, both ready hands the match off", async () => {
    const ann = await connectGuest(a.url, "tictactoe", "Ann");
    const bob = await connectGuest(b.url, "tictactoe", "Bob");
    const foundAnn = waitFor<MatchFound>(ann.socket, "match:found");
    const foundBob = waitFor<MatchFound>(bob.socket, "match:found");
    await request(ann.socket, "queue:join", {});
    await request(bob.socket, "queue:join", {});
    const [fa, fb] = await Promise.all([foundAnn, foundBob]);
    expect(fa.matchId).toBe(fb.matchId);
    expect(fa.players.map((p) => p.name).sort()).toEqual(["Ann", "Bob"]);
    expect(await request(ann.socket, "match:ready", { matchId: fa.matchId })).toEqual({ ok: true });
    expect(await request(bob.socket, "match:ready", { matchId: fa.matchId })).toEqual({ ok: true });
    await eventually(
      () => [...a.logs, ...b.logs].some((l) => l.msg === "both players ready; handing the match to the game rooms" && l.matchId === fa.matchId),
      3000,
      "hand-off logged",
    );
    const stats = await request<{ queued: number; matches: number; players: number }>(ann.socket, "stats", {});
    expect(stats).toMatchObject({ ok: true, queued: 0, matches: 1, players: 2 });
  });
});

describe.each(["redis", "redis-cluster"] as const)("a node killed while it owns queued tickets (%s)", (redis) => {
  const nodes: ChildNode[] = [];
  afterEach(async () => {
    closeAllClients();
    await stopAll(nodes);
  });

  it("its tickets are gone within the TTL, none is paired afterwards, the others keep pairing", async () => {
    // Long enough that a stalled survivor does not miss its own heartbeats for it.
    const ttl = 3000;
    const env = clusterEnv("uws", redis, { TICKET_TTL_MS: String(ttl), MATCHMAKER_INTERVAL_MS: "50" });
    nodes.push(...(await Promise.all([spawnNode(env), spawnNode(env), spawnNode(env)])));
    const [a, b, doomed] = nodes as [ChildNode, ChildNode, ChildNode];
    // one ticket per mode, so that the dead node's tickets cannot pair with each other
    const modes = ["ranked", "casual"];
    for (const mode of modes) {
      const { socket } = await connectGuest(doomed.url, "pong");
      expect(await request(socket, "queue:join", { mode })).toMatchObject({ ok: true });
    }
    const watcher = (await connectGuest(a.url, "pong")).socket;
    expect(await request(watcher, "stats", {})).toMatchObject({ ok: true, queued: 2 });
    await doomed.kill("SIGKILL");
    await eventually(
      async () => {
        const answer = await request<{ queued: number }>(watcher, "stats", {});
        return answer.ok && answer.queued === 0;
      },
      // The TTL plus a sweep interval, with room for a loaded machine: not a performance assertion.
      ttl * 10,
      "dead node's tickets expired",
    );
    // log lines reach us a little after the store changed
    const expiredLines = () => [...a.logs, ...b.logs].filter((l) => l.msg === "ticket expired: its node went silent").length;
    await eventually(() => expiredLines() >= 2, 3000, "two expiry log lines");
    expect(expiredLines()).toBe(2);

    // survivors join the same queues: nobody is paired with a ghost
    const survivors = [];
    for (const [i, mode] of modes.entries()) {
      const { socket } = await connectGuest((i % 2 ? b : a).url, "pong");
      let found = false;
      socket.on("match:found", () => (found = true));
      await request(socket, "queue:join", { mode });
      survivors.push({ socket, mode, found: () => found });
    }
    // Both wait in their queues (a pairing with a ghost would have taken them out), for a few passes.
    expect(await request(watcher, "stats", {})).toMatchObject({ ok: true, queued: 2 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(survivors.map((s) => s.found())).toEqual([false, false]);

    // and they keep being paired with each other across the two surviving nodes
    const late = await connectGuest(b.url, "pong");
    const foundLate = waitFor<MatchFound>(late.socket, "match:found");
    const foundFirst = waitFor<MatchFound>(survivors[0]!.socket, "match:found");
    await request(late.socket, "queue:join", { mode: modes[0] });
    const [x, y] = await Promise.all([foundLate, foundFirst]);
    expect(x.matchId).toBe(y.matchId);
  });
});

describe.each(["redis", "redis-cluster"] as const)("one matcher per queue (%s)", (redis) => {
  const nodes: ChildNode[] = [];
  afterEach(async () => {
    closeAllClients();
    await stopAll(nodes);
  });

  /** The nodes whose latest word on a queue's lease is that they hold it. */
  const holders = (game: string, queue: string) =>
    nodes.filter((n) => {
      const said = n.logs.filter((l) => l.game === game && l.queue === queue && /this queue now/.test(String(l.msg)));
      return said.at(-1)?.msg === "matching this queue now" && n.process.exitCode === null && n.process.signalCode === null;
    });

  it("one node at a time matches a queue; when it dies another takes over once the lease lapses", async () => {
    const env = clusterEnv("uws", redis, { MATCHMAKER_INTERVAL_MS: "50" });
    nodes.push(...(await Promise.all([spawnNode(env), spawnNode(env), spawnNode(env)])));
    const { socket } = await connectGuest(nodes[0]!.url, "pong");
    expect(await request(socket, "queue:join", { mode: "casual" })).toMatchObject({ ok: true });
    await eventually(() => holders("pong", "casual").length === 1, 3000, "one holder of pong/casual");
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(holders("pong", "casual")).toHaveLength(1);
    expect(holders("pong", "#ready-checks")).toHaveLength(1);
    const [holder] = holders("pong", "casual");
    await holder!.kill("SIGKILL");
    // the lease lasts 1 s: a generous bound on a shared machine
    await eventually(() => holders("pong", "casual").length === 1, 4000, "a new holder of pong/casual");
    expect(holders("pong", "casual")[0]).not.toBe(holder);
  });
});
