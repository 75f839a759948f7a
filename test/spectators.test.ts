import { afterEach, describe, expect, it } from "vitest";
import type { LiveMatch, MatchEnd, SpectateAnswer, StatePayload } from "../protocol/index.ts";
import { closeAllClients, connectGuest, eventually, request, waitFor, type TestClient } from "./support/clients.ts";
import { startMatch } from "./support/players.ts";
import { ENGINES, redisEnv, spawnNode, testPrefix, testSecret, type ChildNode } from "./support/servers.ts";

const nodes: ChildNode[] = [];
afterEach(async () => {
  closeAllClients();
  await Promise.all(nodes.map((n) => n.kill()));
  nodes.length = 0;
});

async function spectator(url: string, name: string): Promise<{ socket: TestClient; states: StatePayload[] }> {
  const { socket } = await connectGuest(url, "pong", name);
  const states: StatePayload[] = [];
  socket.on("state", (payload: StatePayload) => states.push(payload));
  return { socket, states };
}

const spectators = async (url: string, matchId: string) =>
  ((await (await fetch(`${url}/v1/matches?game=pong`)).json()) as LiveMatch[]).find((m) => m.matchId === matchId)?.spectators;

describe.each(ENGINES)("spectators (%s, two nodes on Redis)", (engine) => {
  const env = (extra: Record<string, string> = {}) => ({
    ENGINE: engine,
    ...redisEnv("redis"),
    REDIS_PREFIX: testPrefix(),
    ARENA_SECRET: testSecret(),
    MATCHMAKER_INTERVAL_MS: "30",
    PONG_POINTS: "1000",
    ...extra,
  });

  it("watch a match on the same node and from another node: the state stream without acknowledgements, the count, and the end; FULL beyond MAX_SPECTATORS", async () => {
    const shared = env({ MAX_SPECTATORS: "2" });
    nodes.push(...(await Promise.all([spawnNode(shared), spawnNode(shared)])));
    const [a, b] = nodes as [ChildNode, ChildNode];
    const match = await startMatch("pong", [a.url, a.url]);
    const here = await spectator(a.url, "Sam");
    const there = await spectator(b.url, "Tia");
    for (const s of [here, there]) {
      const answer = await request<SpectateAnswer>(s.socket, "match:spectate", { matchId: match.matchId });
      expect(answer).toMatchObject({ ok: true, tickRate: 30, tick: expect.any(Number), state: { score: [0, 0] } });
      expect(answer.ok && answer.players.map((p) => p.name)).toEqual(match.seats.map((p) => p.name));
    }
    await eventually(() => here.states.length > 20 && there.states.length > 20, 5000, "both spectators receive states");
    const ticks = there.states.map((s) => s.tick);
    expect(ticks).toEqual([...ticks].sort((x, y) => x - y));
    expect(there.states[0]).toMatchObject({ matchId: match.matchId, state: { ball: expect.any(Object) } });
    await eventually(async () => (await spectators(b.url, match.matchId)) === 2, 3000, "two spectators counted");
    const third = await spectator(b.url, "Uma");
    expect(await request(third.socket, "match:spectate", { matchId: match.matchId })).toMatchObject({ ok: false, error: { code: "FULL" } });
    expect(await match.seats[0].send("match:spectate", { matchId: match.matchId })).toMatchObject({ ok: false, error: { code: "BAD_REQUEST" } });
    expect(await request(third.socket, "match:spectate", { matchId: "m_nothing" })).toMatchObject({ ok: false, error: { code: "UNKNOWN_MATCH" } });
    // one stops watching: counted, and it gets no more states
    expect(await request(here.socket, "match:unspectate", { matchId: match.matchId })).toMatchObject({ ok: true });
    await eventually(async () => (await spectators(a.url, match.matchId)) === 1, 3000, "one spectator left");
    const stopped = here.states.length;
    // the other one's connection closes: the place is free again
    there.socket.close();
    await eventually(async () => (await spectators(a.url, match.matchId)) === 0, 3000, "none left");
    expect(await request(third.socket, "match:spectate", { matchId: match.matchId })).toMatchObject({ ok: true });
    const ended = waitFor<MatchEnd>(third.socket, "match:end", 5000);
    await match.seats[0].send("match:leave", { matchId: match.matchId });
    expect(await ended).toMatchObject({ matchId: match.matchId, reason: "forfeit" });
    expect(here.states.length).toBeLessThanOrEqual(stopped + 1);
  });

  it("a spectator that stops reading never slows the match: the players' states keep coming at the tick rate", async () => {
    nodes.push(await spawnNode(env({ PONG_BALL_SPEED: "0.3" })));
    const [node] = nodes as [ChildNode];
    const match = await startMatch("pong", [node.url, node.url]);
    const slow = await spectator(node.url, "Slo");
    expect(await request(slow.socket, "match:spectate", { matchId: match.matchId })).toMatchObject({ ok: true });
    await eventually(() => slow.states.length > 5, 3000, "the spectator receives states");
    // Stop reading its TCP socket: the kernel buffers fill and the server can no longer write to it.
    const engine = (slow.socket.io as unknown as { engine: { transport: { ws: { _socket: { pause(): void } } } } }).engine;
    engine.transport.ws._socket.pause();
    const player = match.seats[0];
    const before = player.states.length;
    const arrivals: number[] = [];
    player.onState = () => arrivals.push(Date.now());
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const received = player.states.length - before;
    // 3 s at 30 ticks a second is 90 states; a shared machine may lose a few.
    expect(received).toBeGreaterThan(75);
    const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]!);
    expect(Math.max(...gaps)).toBeLessThan(500);
    expect(player.acked).toBeGreaterThan(before);
  });
});
