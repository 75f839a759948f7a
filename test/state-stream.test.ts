import { decodeFromCompressedBase64 } from "hdr-histogram-js";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { BUILTIN_GAMES, defineGame, GameRegistry, loadGames, type GameRules, type StreamSnapshot } from "../game-rooms/index.ts";
import { WireCodec, type GameInfo, type MatchStart, type StatePayload, type WireFieldInfo } from "../protocol/index.ts";
import type { PongView } from "../game-rooms/games/pong/index.ts";
import { createArenaServer, loadConfig } from "../server/index.ts";
import { closeAllClients, connect, connectGuest, eventually, guest, request, waitFor, type TestClient } from "./support/clients.ts";
import { histogramCount, startMatch } from "./support/players.ts";
import { ENGINES, startServer, type InProcessServer } from "./support/servers.ts";

const latency = async (url: string) => (await (await fetch(`${url}/metrics/latency`)).json()) as StreamSnapshot;
const rttCount = (s: StreamSnapshot) => decodeFromCompressedBase64(s.histograms.rttUs, 32).totalCount;
const metric = async (url: string, name: string) =>
  (await (await fetch(`${url}/metrics`)).text())
    .split("\n")
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .reduce((sum, l) => sum + Number(l.split(" ").pop()), 0);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const badInputs = async (url: string) => {
  const line = (await (await fetch(`${url}/metrics`)).text())
    .split("\n")
    .find((l) => l.startsWith("arena_events_total{") && l.includes('event="game:input"') && l.includes('outcome="BAD_REQUEST"'));
  return line ? Number(line.split(" ").pop()) : 0;
};

/** A two-seat game with hidden information: each seat sees only its own secret. */
function secrets() {
  return defineGame({
    name: "secrets",
    create: (): GameRules<{ secrets: [number, number]; ticks: number }, { guess: number }> => ({
      tickRate: 20,
      maxDurationS: 600,
      kind: "realtime",
      modes: ["ranked"],
      viewPerSeat: true,
      wire: [
        { name: "mine", scale: 1 },
        { name: "ticks", scale: 1 },
      ],
      inputSchema: z.object({ guess: z.number().int() }),
      init: (seed) => ({ secrets: [Math.abs(seed) % 1000, (Math.abs(seed) >>> 10) % 1000], ticks: 0 }),
      apply: () => undefined,
      step: (state) => {
        state.ticks++;
        return true;
      },
      outcome: (state) => (state.ticks >= 40 ? { kind: "draw" } : { kind: "none" }),
      view: (state, _clock, seat) => ({ mine: seat === undefined ? null : state.secrets[seat], ticks: state.ticks }),
    }),
  });
}

describe.each(ENGINES)("the state stream, protocol v2 (%s)", (engine) => {
  let node: InProcessServer;
  beforeAll(async () => {
    node = await startServer({
      ENGINE: engine,
      MATCHMAKER_INTERVAL_MS: "20",
      PONG_TICK_RATE: "60",
      PONG_POINTS: "1000",
      STATE_ACK_EVERY: "3",
      LAG_THRESHOLD_MS: "300",
    });
  });
  afterAll(() => node.stop());
  afterEach(() => closeAllClients());

  it("asks for a state:ack every ackEvery ticks; the server counts what it is owed and times each ack", async () => {
    const before = await latency(node.url);
    const match = await startMatch("pong", [node.url, node.url]);
    expect(match.starts[0].ackEvery).toBe(3);
    const [left, right] = match.seats;
    await eventually(() => left.states.length >= 60 && right.states.length >= 60, 5000, "states flow");
    await left.send("match:leave", { matchId: match.matchId });
    await match.ends;
    // States carry no ack callback: acks are the client's own events, one per third tick.
    expect(left.acked).toBe(left.states.filter((s) => s.tick % 3 === 0).length);
    await eventually(async () => (await latency(node.url)).counters.stateAcks - before.counters.stateAcks === left.acked + right.acked, 3000, "acks counted");
    const after = await latency(node.url);
    const sent = left.states.length + right.states.length;
    expect(after.counters.statesSent - before.counters.statesSent).toBe(sent);
    expect(after.counters.statesOwedAck - before.counters.statesOwedAck).toBe(left.acked + right.acked);
    expect(rttCount(after) - rttCount(before)).toBe(left.acked + right.acked);
    expect(after.counters.stateAcksDropped - before.counters.stateAcksDropped).toBe(0);
  });

  it("takes an ack of tick T for every state up to T; drops stale, future, foreign and malformed acks unanswered", async () => {
    const match = await startMatch("pong", [node.url, node.url]);
    const [left, right] = match.seats;
    left.ackEvery = 1_000_000; // this player acks by hand below
    await eventually(() => left.states.length >= 20, 5000, "states flow");
    const before = await latency(node.url);
    const tick = left.states.at(-1)!.tick;
    let answered = false;
    // With a callback attached, to prove that none is ever called.
    const raw = left.socket as unknown as { emit(event: string, ...args: unknown[]): void };
    const ack = (payload: unknown) => raw.emit("state:ack", payload, () => (answered = true));
    ack({ matchId: match.matchId, tick }); // cumulative: one ack covers all before it
    ack({ matchId: match.matchId, tick: tick - 1 }); // stale
    ack({ matchId: match.matchId, tick: tick + 10_000 }); // not sent yet
    ack({ matchId: "m_nobody", tick }); // no such match
    ack({ matchId: match.matchId, tick: "7" }); // malformed
    ack(null);
    right.socket.emit("state:ack", { matchId: "x".repeat(65), tick: 1 });
    await eventually(async () => (await latency(node.url)).counters.stateAcksDropped - before.counters.stateAcksDropped === 6, 3000, "drops counted");
    const after = await latency(node.url);
    expect(after.counters.stateAcks + after.counters.stateAcksExtra - before.counters.stateAcks - before.counters.stateAcksExtra).toBeGreaterThanOrEqual(1);
    expect(rttCount(after) - rttCount(before)).toBeGreaterThanOrEqual(1);
    await sleep(100);
    expect(answered).toBe(false);
    expect(left.socket.connected && right.socket.connected).toBe(true);
    await left.send("match:leave", { matchId: match.matchId });
  });

  it("counts an ack refused by the player's rate limit as dropped: every ack received is taken or dropped", async () => {
    const limited = await startServer({ ENGINE: engine, RATE_LIMIT_PER_SECOND: "1", RATE_LIMIT_BURST: "1" });
    try {
      const { socket } = await connectGuest(limited.url, "pong");
      const before = await latency(limited.url);
      // A quarter of a token each: the first four pass the limit (and are dropped: no such match), the rest are refused.
      for (let i = 0; i < 12; i++) socket.emit("state:ack", { matchId: "m_nobody", tick: i + 1 });
      await eventually(async () => (await latency(limited.url)).counters.stateAcksDropped - before.counters.stateAcksDropped === 12, 10_000, "12 dropped");
      expect(await metric(limited.url, "arena_rate_limited_total")).toBeGreaterThanOrEqual(8);
      expect(socket.connected).toBe(true);
    } finally {
      await limited.stop();
    }
  });

  it("marks a player whose acks stop as lagging, and caught up when they come back", async () => {
    const match = await startMatch("pong", [node.url, node.url]);
    const [left] = match.seats;
    await eventually(() => left.states.length >= 10, 5000, "states flow");
    const base = await metric(node.url, "arena_players_lagging");
    left.ackEvery = 1_000_000;
    await eventually(async () => (await metric(node.url, "arena_players_lagging")) === base + 1, 3000, "lagging");
    left.ackEvery = 3;
    await eventually(async () => (await metric(node.url, "arena_players_lagging")) === base, 3000, "caught up");
    await left.send("match:leave", { matchId: match.matchId });
  });

  it("applies inputs sent without a callback (fire and forget) and answers none of them", async () => {
    const match = await startMatch("pong", [node.url, node.url]);
    const [left] = match.seats;
    await eventually(() => left.states.length >= 5, 5000, "states flow");
    const y0 = (left.states.at(-1)!.state as PongView).paddles[0];
    const before = await latency(node.url);
    // Every packet that reaches the client, raw: an answer would be an ACK packet ("43...").
    const answers: string[] = [];
    left.socket.io.engine.on("data", (data) => {
      if (String(data).startsWith("43")) answers.push(String(data));
    });
    const badBefore = await badInputs(node.url);
    left.socket.emit("game:input", { matchId: match.matchId, seq: 1, input: { dir: 1 } });
    left.socket.emit("game:input", { matchId: match.matchId, seq: 2, input: { dir: "sideways" } }); // refused: counted, not answered
    await eventually(() => (left.states.at(-1)!.state as PongView).paddles[0] > y0 + 0.05, 3000, "the paddle moves");
    expect((await latency(node.url)).counters.inputs - before.counters.inputs).toBe(1);
    expect((await badInputs(node.url)) - badBefore).toBe(1);
    await sleep(100);
    expect(answers).toEqual([]);
    await left.send("match:leave", { matchId: match.matchId });
  });

  it("after a reconnect, acks of the resumed stream are taken and timed again", async () => {
    const match = await startMatch("pong", [node.url, node.url]);
    const [left] = match.seats;
    await eventually(() => left.states.length >= 10, 5000, "states flow");
    left.socket.close();
    await sleep(100);
    await left.connect(node.url);
    await eventually(() => left.resumed.length === 1, 3000, "match:resumed");
    expect(left.resumed[0]).toMatchObject({ matchId: match.matchId, ackEvery: 3 });
    const before = await latency(node.url);
    const from = left.states.length;
    await eventually(() => left.states.length >= from + 15, 3000, "states flow again");
    await eventually(async () => rttCount(await latency(node.url)) - rttCount(before) >= 4, 3000, "acks timed");
    await left.send("match:leave", { matchId: match.matchId });
  });
});

/** A node with the built-in games and `secrets`, in this process. */
async function secretsServer() {
  const games = new GameRegistry(await loadGames([...BUILTIN_GAMES.map((g) => g.name), secrets()]));
  const server = createArenaServer({
    config: loadConfig({ HOST: "127.0.0.1", PORT: "0", MATCHMAKER_INTERVAL_MS: "20" }),
    logger: pino({ level: "silent" }),
    games,
  });
  return { server, url: `http://127.0.0.1:${await server.start()}` };
}

describe("per-seat views: a game with hidden information emits to each socket its own state", () => {
  it("each seat sees its own secret, never the other's", async () => {
    const { server, url } = await secretsServer();
    try {
      const match = await startMatch("secrets", [url, url]);
      const [a, b] = match.seats;
      const mine = (states: StatePayload[]) => new Set(states.map((s) => (s.state as { mine: number }).mine));
      await match.ends;
      expect(a.states.length).toBeGreaterThan(30);
      const [secretA, secretB] = [(match.starts[0] as MatchStart).state as { mine: number }, (match.starts[1] as MatchStart).state as { mine: number }];
      expect([...mine(a.states)]).toEqual([secretA.mine]);
      expect([...mine(b.states)]).toEqual([secretB.mine]);
      expect(a.states.map((s) => s.tick)).toEqual(b.states.map((s) => s.tick));
      expect(await histogramCount(url, "arena_state_ack_rtt_seconds")).toBe(a.acked + b.acked);
    } finally {
      closeAllClients();
      await server.stop();
    }
  });

  it("compact: each seat's frames decode to its own secret, and each is a delta against that seat's own last frame", async () => {
    const { server, url } = await secretsServer();
    try {
      const info = ((await (await fetch(`${url}/v1/games`)).json()) as GameInfo[]).find((g) => g.name === "secrets")!;
      const codec = new WireCodec((info.wire as { fields: WireFieldInfo[] }).fields);
      const seats = await Promise.all(
        ["Ada", "Ben"].map(async (name) => {
          const { token } = await guest(url, name);
          const seat = { frames: [] as number[][], found: "", start: undefined as MatchStart | undefined, socket: undefined as unknown as TestClient };
          seat.socket = await connect(url, "secrets", token, {
            auth: { encoding: "compact" },
            onSocket: (socket) => {
              socket.on("match:found", (found) => (seat.found = found.matchId));
              socket.on("match:start", (start) => (seat.start = start));
              socket.on("state", (frame: unknown) => void seat.frames.push(frame as number[]));
            },
          });
          return seat;
        }),
      );
      const ends = Promise.all(seats.map((s) => waitFor(s.socket, "match:end", 60_000)));
      for (const s of seats) expect(await request(s.socket, "queue:join", {})).toMatchObject({ ok: true });
      await eventually(() => seats.every((s) => s.found), 15_000, "both found");
      for (const s of seats) await request(s.socket, "match:ready", { matchId: s.found });
      await ends;
      for (const s of seats) {
        const values = new Float64Array(codec.size);
        const secret = (s.start!.state as { mine: number }).mine;
        expect(s.frames.length).toBeGreaterThan(30);
        expect(s.frames[0]![2]).toBe(2 ** codec.size - 1);
        for (const [i, frame] of s.frames.entries()) {
          expect(codec.apply(frame, values, i > 0)).toBe(true);
          expect(values[0]).toBe(secret);
          expect(values[1]).toBe(frame[1]! - s.start!.tick);
        }
        // Past the key frame only the tick count changes: the secret is never sent again.
        expect(s.frames.slice(1).every((f) => f[2] === 2 || f[2] === 2 ** codec.size - 1)).toBe(true);
        expect(s.frames.slice(1).filter((f) => f[2] === 2).length).toBeGreaterThan(s.frames.length / 2);
      }
    } finally {
      closeAllClients();
      await server.stop();
    }
  });
});
