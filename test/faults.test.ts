import { afterEach, describe, expect, inject, it } from "vitest";
import type { MatchCancelled, MatchFound } from "../protocol/index.ts";
import { closeAllClients, connect, eventually, request, waitFor } from "./support/clients.ts";
import { botProblems, tictactoeBot } from "./support/bots.ts";
import { startMatch } from "./support/players.ts";
import { startPrivateRedis, type PrivateRedis } from "./support/redis-process.ts";
import { spawnNode, testPrefix, testSecret, type ChildNode, stopAll } from "./support/servers.ts";
import { signToken } from "./support/tokens.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const nodes: ChildNode[] = [];
let redis: PrivateRedis | undefined;
afterEach(async () => {
  closeAllClients();
  await stopAll(nodes);
  await redis?.stop();
  redis = undefined;
});

describe("node death under load", () => {
  it("3 nodes, 300 players playing; SIGKILL one: survivors told, no ghosts, no double matches, everyone can queue again", async () => {
    const secret = testSecret();
    const env = {
      ENGINE: "uws",
      REDIS_URL: inject("redisUrl"),
      REDIS_PREFIX: testPrefix(),
      ARENA_SECRET: secret,
      TICKET_TTL_MS: "2000",
      HOST_LEASE_MS: "600",
      RECONNECT_GRACE_MS: "1500",
      MATCHMAKER_INTERVAL_MS: "50",
      TICTACTOE_MOVE_SECONDS: "0.5",
      // ready checks involving players of the dead node run out well before the final check
      READY_TIMEOUT_MS: "1500",
    };
    nodes.push(...(await Promise.all([spawnNode(env), spawnNode(env), spawnNode(env)])));
    const [a, b, doomed] = nodes as [ChildNode, ChildNode, ChildNode];
    let running = true;
    const exp = Math.floor(Date.now() / 1000) + 600;
    const bots = await Promise.all(
      Array.from({ length: 300 }, async (_, i) => tictactoeBot(`p${i}`, nodes[i % 3]!.url, await signToken(secret, { sub: `p${i}`, exp }), () => running)),
    );
    await sleep(2000);
    const startedOnDoomed = () => doomed.logs.filter((l) => l.msg === "match started").map((l) => l.matchId as string);
    expect(startedOnDoomed().length).toBeGreaterThan(5);
    const killedAt = Date.now();
    await doomed.kill("SIGKILL");
    // (the dead node's last log lines may be lost with it: what it hosted is known from its starts)
    const hostedOnDoomed = new Set(startedOnDoomed());
    await sleep(2500);
    running = false;
    const survivors = bots.filter((x) => x.url !== doomed.url);
    // let running matches finish (the move clock is short), then everyone leaves
    await eventually(() => survivors.every((x) => !x.playing), 15_000, "survivors' matches over").catch((error) => {
      const stuck = survivors
        .filter((x) => x.playing)
        .map((x) => {
          const open = [...x.matches.entries()].filter(([, r]) => r.startedAt && !r.end).map(([id]) => id);
          const logs = nodes.flatMap((n) =>
            n.logs
              .filter((l) => open.includes(l.matchId as string))
              .map(
                (l) => `${n === doomed ? "DOOMED " : ""}${String(l.msg)} ${JSON.stringify(l.nodes ?? l.reason ?? "")} ${Date.parse(String(l.time)) - killedAt}`,
              ),
          );
          return { id: x.id, onDoomedNode: x.url === doomed.url, open, logs };
        });
      console.error("STUCK", JSON.stringify(stuck.slice(0, 3)), JSON.stringify(nodes.flatMap((n) => n.logs.filter((l) => Number(l.level) >= 40)).slice(0, 6)));
      throw error;
    });
    await Promise.all(survivors.map((x) => request(x.socket, "queue:leave", {}).catch(() => undefined)));
    await sleep(3000);

    // every match hosted on the dead node that was still running was adopted by a survivor and
    // forfeited by the player who died with the node (or, without a snapshot yet, ended `aborted`);
    // one that ended just before the kill was told (again, by the node that took its matches)
    for (const x of survivors) {
      for (const [matchId, record] of x.matches) {
        if (hostedOnDoomed.has(matchId) && record.end?.reason === "abandoned") expect(record.end.winner).toBe(x.id);
      }
    }
    // as the survivors saw it: no player in two matches at once (each started after the previous
    // one ended), every started match ended and was told once, and in causal order
    expect(botProblems(survivors)).toEqual([]);
    // no ghost tickets or matches after the TTL, and everyone can queue again
    // A match whose chosen host never heard of it (the dead node marked it ready and died before the
    // hand-over) is ended by that host's reconciliation, two looks 5 s apart: wait for that, not less.
    const stats = () => request<{ matches: number; queued: number }>(survivors[0]!.socket, "stats", {});
    let st = await stats();
    await eventually(
      async () => {
        st = await stats();
        return st.ok && st.matches === 0 && st.queued === 0;
      },
      15_000,
      "no ghost matches or tickets",
    ).catch(() => undefined);
    if (st.ok && st.matches) {
      // which matches are left, and what each node said of them
      const { Redis } = await import("ioredis");
      const r = new Redis(inject("redisUrl"));
      const left = (await r.keys(`${env.REDIS_PREFIX}*:m:m_*`)).map((k) => k.split(":").pop()!);
      for (const id of left) console.error("LEFT", id, JSON.stringify(await r.hgetall(`${env.REDIS_PREFIX}:{tictactoe}:m:${id}`)).slice(0, 400));
      console.error(
        "LOGS",
        JSON.stringify(
          nodes.flatMap((n, i) =>
            n.logs.filter((l) => left.includes(l.matchId as string)).map((l) => `${i} ${String(l.msg)} ${Date.parse(String(l.time)) - killedAt}`),
          ),
        ),
      );
      r.disconnect();
    }
    expect(st).toMatchObject({ ok: true, queued: 0, matches: 0 });
    const again = await Promise.all(survivors.map((x) => request(x.socket, "queue:join", { mode: "casual" })));
    expect(again.filter((r) => !r.ok)).toEqual([]);
    expect(a.process.exitCode).toBeNull();
    expect(b.process.exitCode).toBeNull();
  }, 120_000);
});

describe("a Redis restart mid-run", () => {
  it("UNAVAILABLE and 503 while down, local matches keep ticking, recovery by itself, queued players requeued, new matches made", async () => {
    redis = await startPrivateRedis();
    const env = {
      ENGINE: "ws",
      REDIS_URL: redis.url,
      REDIS_PREFIX: testPrefix(),
      ARENA_SECRET: testSecret(),
      MATCHMAKER_INTERVAL_MS: "50",
      TICKET_TTL_MS: "3000",
    };
    const node = await spawnNode(env);
    nodes.push(node);
    const match = await startMatch("tictactoe", [node.url, node.url]);
    const loner = await connect(node.url, "pong", await signToken(env.ARENA_SECRET, { sub: "loner", name: "Loner", exp: Math.floor(Date.now() / 1000) + 600 }));
    expect(await request(loner, "queue:join", { mode: "casual" })).toMatchObject({ ok: true });

    await redis.stop();
    await eventually(async () => (await fetch(`${node.url}/readyz`)).status === 503, 5000, "503 while Redis is down");
    expect(await request(loner, "queue:join", {})).toMatchObject({ ok: false, error: { code: "UNAVAILABLE" } });
    // the locally hosted match keeps ticking and can be played
    const [x, o] = match.seats;
    expect(await x.send("game:input", { matchId: match.matchId, seq: 1, input: { cell: 0 } })).toMatchObject({ ok: true });
    expect(await o.send("game:input", { matchId: match.matchId, seq: 2, input: { cell: 3 } })).toMatchObject({ ok: true });

    await redis.restart(); // empty: no persistence, so Redis lost every key
    await eventually(async () => (await fetch(`${node.url}/readyz`)).status === 200, 10_000, "ready again");
    // the queued player is back in its queue (with the time it had waited), not left waiting forever
    await eventually(
      async () => {
        const stats = await request<{ queued: number }>(loner, "stats", {});
        return stats.ok && stats.queued === 1;
      },
      10_000,
      "the queued player restored",
    ).catch((e) => {
      console.error("DBG", JSON.stringify(node.logs.filter((l) => Number(l.level) >= 40 || /rebuil/.test(String(l.msg))).slice(-8)));
      throw e;
    });
    const partner = await connect(
      node.url,
      "pong",
      await signToken(env.ARENA_SECRET, { sub: "partner", name: "Partner", exp: Math.floor(Date.now() / 1000) + 600 }),
    );
    const found = waitFor<MatchFound>(loner, "match:found", 5000);
    await request(partner, "queue:join", { mode: "casual" });
    expect((await found).players.map((p) => p.playerId).sort()).toEqual(["loner", "partner"]);
    // the match that ran through the outage finishes normally
    await x.send("game:input", { matchId: match.matchId, seq: 3, input: { cell: 1 } });
    await o.send("game:input", { matchId: match.matchId, seq: 4, input: { cell: 4 } });
    await x.send("game:input", { matchId: match.matchId, seq: 5, input: { cell: 2 } });
    const [end] = await match.ends;
    expect(end).toMatchObject({ reason: "win", winner: x.playerId });
  }, 60_000);

  it("players whose ready check vanished with Redis's data are told and requeued", async () => {
    redis = await startPrivateRedis();
    const env = {
      ENGINE: "uws",
      REDIS_URL: redis.url,
      REDIS_PREFIX: testPrefix(),
      ARENA_SECRET: testSecret(),
      MATCHMAKER_INTERVAL_MS: "50",
      READY_TIMEOUT_MS: "60000",
    };
    const node = await spawnNode(env);
    nodes.push(node);
    const exp = Math.floor(Date.now() / 1000) + 600;
    const [p1, p2] = await Promise.all(["r1", "r2"].map(async (sub) => connect(node.url, "tictactoe", await signToken(env.ARENA_SECRET, { sub, exp }))));
    const found = Promise.all([waitFor<MatchFound>(p1!, "match:found"), waitFor<MatchFound>(p2!, "match:found")]);
    await request(p1!, "queue:join", {});
    await request(p2!, "queue:join", {});
    const [first] = await found;
    const cancelled = Promise.all([waitFor<MatchCancelled>(p1!, "match:cancelled", 15_000), waitFor<MatchCancelled>(p2!, "match:cancelled", 15_000)]);
    const again = Promise.all([waitFor<MatchFound>(p1!, "match:found", 20_000), waitFor<MatchFound>(p2!, "match:found", 20_000)]);
    await redis.stop();
    await redis.restart(); // empty
    for (const c of await cancelled) expect(c).toEqual({ matchId: first.matchId, reason: "ready_timeout", requeued: true });
    const [second] = await again;
    expect(second.matchId).not.toBe(first.matchId);
    expect(await request(p1!, "match:ready", { matchId: second.matchId })).toEqual({ ok: true });
  }, 60_000);
});
