import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { StreamSnapshot } from "../game-rooms/index.ts";
import type { PongView } from "../game-rooms/games/pong/index.ts";
import { WireCodec, type GameInfo, type MatchFound, type MatchStart, type SpectateAnswer, type StatePayload } from "../protocol/index.ts";
import { closeAllClients, connect, eventually, guest, request, waitFor, type TestClient } from "./support/clients.ts";
import { ENGINES, redisEnv, spawnNode, startServer, testPrefix, testSecret, type ChildNode, type InProcessServer } from "./support/servers.ts";

const latency = async (url: string) => (await (await fetch(`${url}/metrics/latency`)).json()) as StreamSnapshot;
const codecOf = async (url: string, game = "pong") => {
  const info = ((await (await fetch(`${url}/v1/games`)).json()) as GameInfo[]).find((g) => g.name === game)!;
  return new WireCodec((info.wire as { fields: { name: string; scale: number }[] }).fields);
};

/** A player (or spectator) whose connection asked for `encoding`; it records every state as it came, and acks as asked. */
class WirePlayer {
  socket!: TestClient;
  token = "";
  playerId = "";
  start: MatchStart | undefined;
  readonly starts: MatchStart[] = [];
  /** Object states, or compact frames, as received. */
  readonly objects: StatePayload[] = [];
  readonly frames: number[][] = [];
  acked = 0;
  acking = true;
  seq = 0;

  constructor(readonly encoding: "json" | "compact") {}

  async join(url: string, name: string): Promise<this> {
    const identity = await guest(url, name);
    [this.token, this.playerId] = [identity.token, identity.playerId];
    return this.connect(url);
  }

  async connect(url: string): Promise<this> {
    // Listening from the start: `match:resumed` comes as soon as the connection is there.
    this.socket = await connect(url, "pong", this.token, { auth: { encoding: this.encoding }, onSocket: (socket) => this.listen(socket) });
    return this;
  }

  private listen(socket: TestClient): void {
    const started = (start: MatchStart) => {
      this.start = start;
      this.starts.push(start);
    };
    socket.on("match:start", started);
    socket.on("match:resumed", started);
    socket.on("state", (payload: unknown) => {
      const tick = Array.isArray(payload) ? (payload[1] as number) : (payload as StatePayload).tick;
      if (Array.isArray(payload)) this.frames.push(payload as number[]);
      else this.objects.push(payload as StatePayload);
      const start = this.start;
      if (!start || !this.acking || tick % start.ackEvery !== 0) return;
      this.acked++;
      socket.emit("state:ack", (Array.isArray(payload) ? [start.ref, tick] : { matchId: start.matchId, tick }) as never);
    });
  }

  send(event: string, payload: unknown) {
    return request<Record<string, unknown>>(this.socket, event, payload);
  }

  input(dir: number) {
    return this.send("game:input", { matchId: this.start!.matchId, seq: ++this.seq, input: { dir } });
  }
}

/** Queues two players, readies both, waits for both starts. */
async function play(a: WirePlayer, b: WirePlayer): Promise<string> {
  const found = Promise.all([waitFor<MatchFound>(a.socket, "match:found"), waitFor<MatchFound>(b.socket, "match:found")]);
  await a.send("queue:join", {});
  await b.send("queue:join", {});
  const [fa] = await found;
  await a.send("match:ready", { matchId: fa.matchId });
  await b.send("match:ready", { matchId: fa.matchId });
  await eventually(() => a.start !== undefined && b.start !== undefined, 10_000, "both started");
  return fa.matchId;
}

/**
 * Decodes a compact stream and checks it against the object states of the same match: the
 * first frame after each start is a key frame, every field of every decoded frame is the object
 * form's number at that tick, rounded to its scale. Returns how many frames were deltas.
 */
function checkAgainst(codec: WireCodec, frames: number[][], objects: StatePayload[], ref: number, startsAt: Set<number>): number {
  const byTick = new Map(objects.map((o) => [o.tick, o]));
  const values = new Float64Array(codec.size);
  const expected = new Float64Array(codec.size);
  const all = 2 ** codec.size - 1;
  let known = false;
  let deltas = 0;
  let compared = 0;
  for (const [i, frame] of frames.entries()) {
    expect(frame[0]).toBe(ref);
    if (startsAt.has(i)) {
      expect(frame[2], `frame ${i} after a start is a key frame`).toBe(all);
      known = false;
    }
    expect(codec.apply(frame, values, known), `frame ${i} decodes`).toBe(true);
    known = true;
    if (frame[2] !== all) deltas++;
    const object = byTick.get(frame[1]!);
    if (!object) continue;
    codec.read(object.state, object.inputSeq, expected);
    expect([...values], `tick ${frame[1]}`).toEqual([...expected]);
    // Turned back into a view, on any view of the game as a template: the object form, rounded.
    const { state, inputSeq } = codec.view(values, objects[0]!.state as PongView);
    const view = object.state as PongView;
    expect(state.ball.x).toBe(Math.round(view.ball.x * 1000) / 1000);
    expect(state.paddles[1]).toBe(Math.round(view.paddles[1] * 1000) / 1000);
    expect(state.score).toEqual(view.score);
    expect(inputSeq).toEqual(object.inputSeq);
    compared++;
  }
  expect(compared).toBeGreaterThan(frames.length / 2);
  return deltas;
}

describe.each(ENGINES)("compact states (%s, one node)", (engine) => {
  let node: InProcessServer;
  beforeAll(async () => {
    node = await startServer({ ENGINE: engine, MATCHMAKER_INTERVAL_MS: "20", PONG_POINTS: "1000", STATE_ACK_EVERY: "3" });
  });
  afterAll(() => node.stop());
  afterEach(() => closeAllClients());

  it("a compact player and an object player of one match see the same numbers; deltas follow a key frame; compact acks are taken", async () => {
    const codec = await codecOf(node.url);
    const c = await new WirePlayer("compact").join(node.url, "Cal");
    const j = await new WirePlayer("json").join(node.url, "Jo");
    const before = await latency(node.url);
    const matchId = await play(c, j);
    for (const start of [c.start!, j.start!]) {
      // A connection plays one match at a time: its ref is 0.
      expect(start).toMatchObject({ matchId, inputSeq: [0, 0], tickZeroAt: expect.any(Number), ref: 0 });
    }
    await eventually(() => c.frames.length >= 30, 10_000, "compact states flow");
    // Inputs move the paddles and show in inputSeq.
    for (let i = 0; i < 5; i++) expect(await j.input(i % 2 ? 1 : -1)).toMatchObject({ ok: true });
    const answer = await c.input(1);
    const applied = answer.ok ? (answer.tick as number) : Number.NaN;
    await eventually(() => c.frames.some((f) => f[1]! > applied + 3) && j.objects.some((o) => o.tick > applied + 3), 10_000, "states after the inputs");
    const late = j.objects.find((o) => o.tick > applied)!;
    expect(late.inputSeq[c.start!.seat]).toBe(1);
    expect(late.inputSeq[j.start!.seat]).toBe(5);
    const deltas = checkAgainst(codec, c.frames, j.objects, c.start!.ref, new Set([0]));
    expect(deltas).toBeGreaterThan(c.frames.length / 2);
    // Bytes: the compact form is a fraction of the object form.
    const size = (items: unknown[]) => items.reduce<number>((sum, item) => sum + JSON.stringify(item).length, 0) / items.length;
    expect(size(c.frames)).toBeLessThan(size(j.objects) / 3);
    await eventually(
      async () => (await latency(node.url)).counters.stateAcks - before.counters.stateAcks === c.acked + j.acked,
      10_000,
      "compact and object acks counted",
    );
    expect((await latency(node.url)).counters.stateAcksDropped - before.counters.stateAcksDropped).toBe(0);
    await j.send("match:leave", { matchId });
  });

  it("a compact player who reconnects gets match:resumed with a ref, then a key frame", async () => {
    const codec = await codecOf(node.url);
    const c = await new WirePlayer("compact").join(node.url, "Cy");
    const j = await new WirePlayer("json").join(node.url, "Jay");
    const matchId = await play(c, j);
    await eventually(() => c.frames.length >= 10, 10_000, "compact states flow");
    c.socket.disconnect();
    const cut = c.frames.length;
    await c.connect(node.url);
    await eventually(() => c.starts.length === 2, 10_000, "match:resumed");
    expect(c.starts[1]).toMatchObject({ matchId, ref: expect.any(Number), inputSeq: [0, 0] });
    await eventually(() => c.frames.length >= cut + 10, 10_000, "states again");
    checkAgainst(codec, c.frames.slice(cut), j.objects, c.starts[1]!.ref, new Set([0]));
    await j.send("match:leave", { matchId });
  });

  it("an unknown encoding is refused at the handshake; a malformed or unknown compact ack is dropped; time:sync echoes the client's clock", async () => {
    const identity = await guest(node.url, "Bo");
    const refusal = await connect(node.url, "pong", identity.token, { auth: { encoding: "binary" } }).catch((error: { data?: unknown }) => error);
    expect((refusal as { data?: unknown }).data).toEqual({ code: "BAD_REQUEST" });
    const c = await new WirePlayer("compact").join(node.url, "Cat");
    const clientTime = 12_345.5;
    const sync = await c.send("time:sync", { clientTime });
    expect(sync).toMatchObject({ ok: true, clientTime, serverTime: expect.any(Number) });
    expect(await c.send("time:sync", { clientTime: "now" })).toMatchObject({ ok: false, error: { code: "BAD_REQUEST" } });
    const before = await latency(node.url);
    // Not playing yet: even ref 0 names no match.
    for (const ack of [[0, 3], [999_999, 3], [1, -1], [1], [1, 2, 3], ["1", 2]]) c.socket.emit("state:ack", ack as never);
    await eventually(async () => (await latency(node.url)).counters.stateAcksDropped - before.counters.stateAcksDropped === 6, 10_000, "6 dropped");
    expect(c.socket.connected).toBe(true);
  });
});

describe.each(ENGINES)("compact states across nodes (%s, two nodes on Redis)", (engine) => {
  const nodes: ChildNode[] = [];
  afterEach(async () => {
    closeAllClients();
    await Promise.all(nodes.map((n) => n.kill()));
    nodes.length = 0;
  });

  it("a compact player on a node that relays the match, and compact spectators here and there, decode what the host's object player sees", async () => {
    const env = {
      ENGINE: engine,
      ...redisEnv("redis"),
      REDIS_PREFIX: testPrefix(),
      ARENA_SECRET: testSecret(),
      MATCHMAKER_INTERVAL_MS: "30",
      PONG_POINTS: "1000",
    };
    nodes.push(...(await Promise.all([spawnNode(env), spawnNode(env)])));
    const [a, b] = nodes as [ChildNode, ChildNode];
    const codec = await codecOf(a.url);
    const j = await new WirePlayer("json").join(a.url, "Host");
    const c = await new WirePlayer("compact").join(b.url, "Away");
    const matchId = await play(j, c);
    await eventually(() => c.frames.length >= 20, 10_000, "relayed compact states flow");
    const watchers = [await new WirePlayer("compact").join(a.url, "Sa"), await new WirePlayer("compact").join(b.url, "Sb")];
    const refs: number[] = [];
    for (const w of watchers) {
      const answer = await request<SpectateAnswer>(w.socket, "match:spectate", { matchId });
      expect(answer).toMatchObject({ ok: true, ref: expect.any(Number) });
      // A spectator's refs start at 1: the connection may play a match (ref 0) and watch others.
      if (answer.ok) refs.push(answer.ref);
      expect(refs.at(-1)).toBeGreaterThanOrEqual(1);
    }
    await eventually(() => watchers.every((w) => w.frames.length >= 20) && c.frames.length >= 60, 10_000, "spectators' states");
    const before = c.acked;
    expect(before).toBeGreaterThan(0);
    // The away player's stream is its node's encoding of the relayed states.
    checkAgainst(codec, c.frames, j.objects, c.start!.ref, new Set([0]));
    // Spectators' sends may be dropped: every frame is a key frame.
    for (const [i, w] of watchers.entries()) {
      checkAgainst(codec, w.frames, j.objects, refs[i]!, new Set(w.frames.keys()));
    }
    // The away player's compact acks reach the host (through its node, which knows the ref): with
    // the host's own player silent, the host still counts acks.
    j.acking = false;
    const acks = (await latency(a.url)).counters.stateAcks;
    await eventually(async () => (await latency(a.url)).counters.stateAcks > acks + 10, 10_000, "the away player's acks counted at the host");
    await j.send("match:leave", { matchId });
  });
});
