import { Redis } from "ioredis";
import { afterEach, describe, expect, inject, it } from "vitest";
import type { GameInfo, Replay } from "../protocol/index.ts";
import { closeAllClients, eventually, waitFor } from "./support/clients.ts";
import { startMatch } from "./support/players.ts";
import { spawnNode, stopAll, testPrefix, testSecret, type ChildNode } from "./support/servers.ts";

const nodes: ChildNode[] = [];
afterEach(async () => {
  closeAllClients();
  await stopAll(nodes.splice(0));
});

const getJson = async <T>(url: string): Promise<T> => (await (await fetch(url)).json()) as T;

describe("every match ends, and what it keeps is bounded", () => {
  it("games declare maxDurationS; a pong match that reaches it ends `time`, the higher score winning or a draw", async () => {
    const node = await spawnNode({ ENGINE: "uws", ARENA_SECRET: testSecret(), PONG_MAX_DURATION_S: "2", PONG_POINTS: "1000" });
    nodes.push(node);
    const games = await getJson<(GameInfo & { maxDurationS: number; seats: number })[]>(`${node.url}/v1/games`);
    expect(games.map((g) => [g.name, g.maxDurationS, g.seats])).toEqual([
      ["pong", 2, 2],
      ["tictactoe", 136, 2],
      // 42 moves at most, each within its 30-second clock
      ["connect-four", 1261, 2],
    ]);
    const match = await startMatch("pong", [node.url, node.url]);
    const [end] = await match.ends;
    const last = match.seats[0].states.at(-1)!.state as { score: [number, number] };
    const [s0, s1] = last.score;
    expect(end).toMatchObject({ reason: "time", winner: s0 === s1 ? null : match.seats[s0 > s1 ? 0 : 1].playerId });
    expect(match.seats[0].states.at(-1)!.tick).toBe(60);
    const replay = await getJson<Replay>(`${node.url}/v1/matches/${match.matchId}/replay`);
    expect(replay.end).toMatchObject({ reason: "time", tick: 60 });
  });

  it("the replay keeps only inputs that changed the state, at most REPLAY_MAX_INPUTS, and says when it was cut", async () => {
    const node = await spawnNode({ ENGINE: "uws", ARENA_SECRET: testSecret(), REPLAY_MAX_INPUTS: "4", PONG_POINTS: "1000" });
    nodes.push(node);
    const match = await startMatch("pong", [node.url, node.url]);
    const [a] = match.seats;
    let seq = 0;
    // the same direction three times: one change; then alternating: a change each
    for (const dir of [1, 1, 1, -1, 1, -1, 1, -1]) {
      const answer = await a.send("game:input", { matchId: match.matchId, seq: ++seq, input: { dir } });
      expect(answer.ok).toBe(true);
      await waitFor(a.socket, "state"); // one input a tick
    }
    expect(await a.send("match:leave", { matchId: match.matchId })).toMatchObject({ ok: true });
    await match.ends;
    const replay = await getJson<Replay>(`${node.url}/v1/matches/${match.matchId}/replay`);
    expect(replay.inputs.map((i) => (i.input as { dir: number }).dir)).toEqual([1, -1, 1, -1]);
    expect(replay.truncated).toBe(true);
  });

  it("a snapshot costs the state, not the match: the inputs are appended to a list, the snapshot stays the same size", async () => {
    const prefix = testPrefix();
    const node = await spawnNode({ ENGINE: "uws", ARENA_SECRET: testSecret(), REDIS_URL: inject("redisUrl"), REDIS_PREFIX: prefix, PONG_POINTS: "1000" });
    nodes.push(node);
    const redis = new Redis(inject("redisUrl"));
    try {
      const match = await startMatch("pong", [node.url, node.url]);
      const [a] = match.seats;
      const key = `${prefix}:{pong}:m:${match.matchId}`;
      const sizes: number[] = [];
      let seq = 0;
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < 10; i++) {
          await a.send("game:input", { matchId: match.matchId, seq: ++seq, input: { dir: seq % 2 ? 1 : -1 } });
          await waitFor(a.socket, "state");
        }
        const logged = 10 * (round + 1);
        await eventually(async () => (await redis.llen(`${prefix}:{pong}:mi:${match.matchId}`)) === logged, 10_000, `${logged} inputs in the store`);
        sizes.push((await redis.hget(key, "snap"))!.length);
      }
      // the state's JSON varies by a few digits; 10 more inputs would add some 300 characters each round
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThan(60);
      expect(await a.send("match:leave", { matchId: match.matchId })).toMatchObject({ ok: true });
      await match.ends;
      const replay = await getJson<Replay>(`${node.url}/v1/matches/${match.matchId}/replay`);
      expect(replay.inputs).toHaveLength(30);
      expect(await redis.exists(`${prefix}:{pong}:mi:${match.matchId}`)).toBe(0);
    } finally {
      redis.disconnect();
    }
  });
});
