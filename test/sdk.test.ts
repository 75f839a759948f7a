import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ArenaClientError, connect, fetchGuestToken, type ArenaClient } from "../clients/sdk/index.ts";
import { runBots } from "../clients/bot/index.ts";
import type { MatchEnd, MatchStart } from "../protocol/index.ts";
import { eventually } from "./support/clients.ts";
import { ENGINES, startServer, type InProcessServer } from "./support/servers.ts";

const next = <T>(client: ArenaClient, event: "start" | "resumed" | "end" | "found"): Promise<T> =>
  new Promise((resolve) => {
    const off = client.on(event, ((payload: T) => {
      off();
      resolve(payload);
    }) as never);
  });

describe.each(ENGINES)("SDK and bot against a real server (%s)", (engine) => {
  let node: InProcessServer;
  const clients: ArenaClient[] = [];
  beforeAll(async () => {
    node = await startServer({ ENGINE: engine, MATCHMAKER_INTERVAL_MS: "20", PONG_BALL_SPEED: "2", PONG_TICK_RATE: "60", PONG_POINTS: "1" });
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await node.stop();
  });

  async function player(name: string, autoReady = true): Promise<{ client: ArenaClient; playerId: string }> {
    const guest = await fetchGuestToken(node.url, name);
    const client = connect({ url: node.url, game: "tictactoe", token: guest.token, autoReady });
    clients.push(client);
    await client.connected();
    return { client, playerId: guest.playerId };
  }

  it("plays a full tictactoe game between two SDK clients, with a reconnect mid-match", async () => {
    const a = await player("Ann");
    const b = await player("Bob");
    const started = Promise.all([next<MatchStart>(a.client, "start"), next<MatchStart>(b.client, "start")]);
    const ended = Promise.all([next<MatchEnd>(a.client, "end"), next<MatchEnd>(b.client, "end")]);
    await a.client.queue();
    await b.client.queue();
    const [sa] = await started;
    const [x, o] = sa.seat === 0 ? [a, b] : [b, a];
    expect(x.client.seat).toBe(0);
    await x.client.input({ cell: 0 });
    await o.client.input({ cell: 3 });

    // o loses its connection; the SDK reconnects by itself and the server resumes the seat
    const resumed = next<MatchStart>(o.client, "resumed");
    const statuses: string[] = [];
    o.client.on("status", (status) => statuses.push(status));
    o.client.socket.io.engine.close();
    const back = await resumed;
    expect(back.state).toMatchObject({ board: [0, null, null, 1, null, null, null, null, null] });
    expect(statuses).toContain("reconnecting");
    expect(o.client.status).toBe("connected");

    await x.client.input({ cell: 1 });
    await o.client.input({ cell: 4 });
    await x.client.input({ cell: 2 });
    const [endA] = await ended;
    expect(endA).toMatchObject({ reason: "win", winner: x.playerId });
  });

  it("surfaces ack errors as ArenaClientError with the protocol code", async () => {
    const a = await player("Cat", false);
    await a.client.queue({ mode: "casual" });
    const error = await a.client.queue({ mode: "casual" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArenaClientError);
    expect((error as ArenaClientError).code).toBe("ALREADY_QUEUED");
    await expect(a.client.ready("m_nope")).rejects.toMatchObject({ code: "UNKNOWN_MATCH" });
    await expect(a.client.leave()).resolves.toBe(true);
    await expect(a.client.stats()).resolves.toMatchObject({ queued: 0 });
  });

  it("refuses a bad token with UNAUTHORIZED", async () => {
    const client = connect({ url: node.url, game: "pong", token: "not-a-token", reconnect: false });
    clients.push(client);
    await expect(client.connected()).rejects.toMatchObject({ code: "UNAUTHORIZED", message: "unauthorized" });
  });

  it.each(["tictactoe", "pong"])(
    "10 bots on one node finish %s matches with no errors",
    async (game) => {
      const run = await runBots({ url: node.url, game, count: 10, matches: 5, mode: "casual" });
      try {
        await run.done;
        expect(run.errors).toEqual([]);
        expect(run.finished).toBeGreaterThanOrEqual(5);
      } finally {
        run.stop();
      }
      await eventually(async () => (await fetch(`${node.url}/healthz`)).status === 200);
    },
    60_000,
  );
});
