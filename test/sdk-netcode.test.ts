import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, fetchGuestToken, type ArenaClient, type NetcodeOptions } from "../clients/sdk/index.ts";
import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import pong, { type PongView } from "../game-rooms/games/pong/index.ts";
import tictactoe from "../game-rooms/games/tictactoe/index.ts";
import type { MatchStart, Seat, StatePayload } from "../protocol/index.ts";
import { ENGINES, startServer, testSecret, type InProcessServer } from "./support/servers.ts";
import { signToken } from "./support/tokens.ts";

const SKEW_MS = -5 * 60_000;

/** The first time `event` comes. */
const next = <T>(client: ArenaClient, event: "start" | "clock" | "end"): Promise<T> =>
  new Promise((resolve) => {
    const off = client.on(event, ((payload: T) => {
      off();
      resolve(payload);
    }) as never);
  });

describe.each(ENGINES)("the SDK's netcode against a real server (%s)", (engine) => {
  let node: InProcessServer;
  const clients: ArenaClient[] = [];
  beforeAll(async () => {
    node = await startServer({ ENGINE: engine, MATCHMAKER_INTERVAL_MS: "20", PONG_POINTS: "1000" });
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await node.stop();
  });

  async function player(name: string, options: { definition: boolean; clock?: () => number; netcode?: NetcodeOptions }) {
    const guest = await fetchGuestToken(node.url, name);
    const base = {
      url: node.url,
      token: guest.token,
      autoReady: true,
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.netcode ? { netcode: options.netcode } : {}),
    };
    const client = options.definition ? connect({ ...base, game: pong }) : connect<{ input: { dir: -1 | 0 | 1 }; view: PongView }>({ ...base, game: "pong" });
    clients.push(client as ArenaClient);
    await client.connected();
    return client as ArenaClient<{ input: { dir: -1 | 0 | 1 }; view: PongView }>;
  }

  /** Two players queued together; resolves once both started. */
  async function match(a: ArenaClient, b: ArenaClient): Promise<[MatchStart, MatchStart]> {
    const started = Promise.all([next<MatchStart>(a, "start"), next<MatchStart>(b, "start")]);
    await a.queue({ latencies: false });
    await b.queue({ latencies: false });
    return started;
  }

  it("a client whose clock is five minutes off reads the server's time, and a compact client sees the object client's numbers", async () => {
    const skewed = await player("Skew", { definition: true, clock: () => Date.now() + SKEW_MS });
    const plain = await player("Plain", { definition: false });
    if (!skewed.clock.synced) await next(skewed, "clock");
    // The server runs on this machine's clock: the estimate is off by at most half a round trip, not by minutes.
    expect(Math.abs(skewed.serverNow() - Date.now())).toBeLessThan(1000);

    const seen = new Map<number, PongView>();
    const decoded: StatePayload<PongView>[] = [];
    let arrays = 0;
    skewed.socket.on("state", (raw) => Array.isArray(raw) && arrays++);
    plain.on("state", (s) => seen.set(s.tick, s.state));
    skewed.on("state", (s) => decoded.push(s));
    const [start] = await match(skewed, plain);
    expect(Math.abs(start.tickZeroAt + start.tick * (1000 / start.tickRate) - skewed.serverNow())).toBeLessThan(1000);
    await new Promise<void>((resolve) => {
      const off = skewed.on("state", () => decoded.length >= 60 && (off(), resolve()));
    });
    // The skewed client asked for compact states (it has the game's definition) and decoded them.
    let compared = 0;
    for (const s of decoded) {
      const other = seen.get(s.tick);
      if (!other) continue;
      compared++;
      expect(s.state.ball.x).toBe(Math.round(other.ball.x * 1000) / 1000);
      expect(s.state.paddles[1]).toBe(Math.round(other.paddles[1] * 1000) / 1000);
      expect(s.state.score).toEqual(other.score);
    }
    expect(compared).toBeGreaterThan(30);
    expect(arrays).toBeGreaterThanOrEqual(decoded.length);
    await skewed.forfeit();
  });

  it("with prediction the own paddle moves on the frame the input is sent; without it, only once the server's states show it", async () => {
    for (const predict of [true, false]) {
      const a = await player(`Pred${predict}`, { definition: true, netcode: { predict } });
      const b = await player(`Other${predict}`, { definition: true });
      const [start] = await match(a, b);
      const seat = start.seat as Seat;
      const ended = next(a, "end");
      // Wait for a few states: the clock synced and the buffer filled.
      await new Promise<void>((resolve) => {
        let n = 0;
        const off = a.on("state", () => ++n >= 10 && (off(), resolve()));
      });
      const before = a.frame()!.view.paddles[seat];
      const dir = before > 0.5 ? -1 : 1;
      const confirmedBefore = a.lastState!.inputSeq[seat];
      a.sendInput({ dir });
      // Measured with no I/O in between: the server cannot have answered yet.
      const after = a.frame()!.view.paddles[seat];
      expect(a.lastState!.inputSeq[seat]).toBe(confirmedBefore);
      if (predict) {
        expect(a.netStats()!.predicted).toBe(true);
        expect((after - before) * dir).toBeGreaterThan(0);
      } else {
        expect(a.netStats()!.predicted).toBe(false);
        expect(after).toBe(before);
      }
      // Once the server applied it, the drawn paddle follows the server's.
      await new Promise<void>((resolve) => {
        const off = a.on("state", (s) => s.inputSeq[seat] > confirmedBefore && (off(), resolve()));
      });
      a.sendInput({ dir: 0 });
      const stopSeq = a.lastState!.inputSeq[seat];
      await new Promise<void>((resolve) => {
        let n = 0;
        const off = a.on("state", (s) => s.inputSeq[seat] > stopSeq && ++n >= 10 && (off(), resolve()));
      });
      expect(Math.abs(a.frame()!.view.paddles[seat] - a.lastState!.state.paddles[seat])).toBeLessThan(0.01);
      expect(a.netStats()!.pendingInputs).toBe(0);
      await a.forfeit();
      await ended;
    }
  });

  it("a turn game's move shows in the frame before the server answers it", async () => {
    const tokens = await Promise.all(["Xa", "Ob"].map((name) => fetchGuestToken(node.url, name)));
    const [a, b] = tokens.map((t) => connect({ url: node.url, game: tictactoe, token: t.token, autoReady: true }));
    clients.push(a as ArenaClient, b as ArenaClient);
    await Promise.all([a!.connected(), b!.connected()]);
    const [startA] = await match(a as ArenaClient, b as ArenaClient);
    const mover = startA.seat === 0 ? a! : b!;
    const answered = mover.input({ cell: 4 });
    // No I/O since the call: the move is drawn, the server has not answered.
    expect(mover.frame()!.view.board[4]).toBe(mover.seat);
    expect(mover.lastState!.state.board[4]).toBeNull();
    await answered;
    await mover.forfeit();
  });

  it("a token about to expire is refreshed before it does, and a reconnection after its expiry uses the new one", async () => {
    const guest = await fetchGuestToken(node.url, "Early");
    const exp = Math.floor(Date.now() / 1000) + 3;
    const short = await signToken(testSecret(), { sub: guest.playerId, name: "Early", exp });
    let refreshed!: () => void;
    const asked = new Promise<void>((resolve) => (refreshed = resolve));
    const client = connect({ url: node.url, game: "pong", token: short, refreshToken: () => (refreshed(), guest.token) });
    clients.push(client);
    await client.connected();
    await asked;
    // Past the short token's expiry, a new connection is accepted: it carries the refreshed token.
    while (Date.now() < exp * 1000 + 500) await new Promise((resolve) => setTimeout(resolve, 100));
    client.socket.disconnect();
    client.socket.connect();
    await client.connected();
    expect(client.status).toBe("connected");
  });

  it("falls back to HTTP long-polling when WebSocket upgrades are refused on the way", async () => {
    const target = new URL(node.url);
    const proxy = createServer((req, res) => {
      const upstream = httpRequest({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on("error", () => res.destroy());
      req.pipe(upstream);
    });
    // A network that blocks WebSocket: every upgrade is cut.
    proxy.on("upgrade", (_req, socket) => socket.destroy());
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      const guest = await fetchGuestToken(url, "Polling");
      const client = connect({ url, game: "pong", token: guest.token });
      clients.push(client);
      await client.connected();
      expect(client.socket.io.engine.transport.name).toBe("polling");
      await expect(client.stats()).resolves.toMatchObject({ queued: expect.any(Number) });
      client.close();
    } finally {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });

  it("a token refused at the handshake is refreshed through the callback, and the client connects", async () => {
    const guest = await fetchGuestToken(node.url, "Renew");
    const expired = await signToken(testSecret(), { sub: guest.playerId, name: "Renew", exp: Math.floor(Date.now() / 1000) - 3600 });
    let asked = 0;
    const client = connect({ url: node.url, game: "pong", token: expired, refreshToken: () => (asked++, guest.token) });
    clients.push(client);
    await client.connected();
    expect(asked).toBe(1);
    expect(client.status).toBe("connected");
  });
});
