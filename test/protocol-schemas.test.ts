import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { lobbyPageSchema, serverEventSchemas } from "../protocol/index.ts";
import { rulesOf } from "./support/games.ts";
import { closeAllClients, eventually } from "./support/clients.ts";
import { startMatch, type Player } from "./support/players.ts";
import { startServer, type InProcessServer } from "./support/servers.ts";

type Seen = [event: string, payload: unknown][];

/** Records every event the server sends to these players. */
function record(players: Player[]): Seen {
  const seen: Seen = [];
  for (const player of players) player.socket.onAny((event: string, payload: unknown) => seen.push([event, payload]));
  return seen;
}

/** Every payload against its event's schema, and every state against its game's view schema: the failures. */
function violations(game: string, seen: Seen): string[] {
  const failures: string[] = [];
  for (const [event, payload] of seen) {
    const schema = serverEventSchemas[event as keyof typeof serverEventSchemas];
    if (!schema) {
      failures.push(`${event}: no schema`);
      continue;
    }
    const checked = schema.safeParse(payload);
    if (!checked.success) failures.push(`${event}: ${checked.error.message}`);
    if (event === "state" || event === "match:start" || event === "match:resumed") {
      const view = rulesOf(game).viewSchema!.safeParse((payload as { state?: unknown }).state);
      if (!view.success) failures.push(`${event} state: ${view.error.message}`);
    }
  }
  return failures;
}

describe("the protocol's schemas describe what the server sends", () => {
  let node: InProcessServer;
  beforeAll(async () => {
    node = await startServer({ ENGINE: "ws", MATCHMAKER_INTERVAL_MS: "20", PONG_BALL_SPEED: "2.5", PONG_TICK_RATE: "60" });
  });
  afterAll(() => node.stop());
  afterEach(() => closeAllClients());

  it("tictactoe: every event of a match, its chat and its end match their schemas", async () => {
    const match = await startMatch("tictactoe", [node.url, node.url]);
    const seen = record(match.seats);
    const [x, o] = match.seats;
    expect(await x.send("chat:send", { matchId: match.matchId, text: "good luck" })).toMatchObject({ ok: true });
    let seq = 0;
    for (const [i, cell] of [0, 3, 1, 4, 2].entries()) {
      const answer = await match.seats[i % 2]!.send("game:input", { matchId: match.matchId, seq: ++seq, input: { cell } });
      expect(answer).toMatchObject({ ok: true });
    }
    await match.ends;
    await eventually(() => seen.filter(([event]) => event === "match:end").length === 2, 5000, "both ends");
    expect(seen.map(([event]) => event)).toEqual(expect.arrayContaining(["chat", "state", "match:end"]));
    expect(violations("tictactoe", [["match:start", match.starts[0]], ...seen])).toEqual([]);
    expect(o.states.length).toBeGreaterThan(0);
  });

  it("the lobby's events (chat, messages, challenges, rematch offers) and the answers of lobby:list match their schemas", async () => {
    const match = await startMatch("tictactoe", [node.url, node.url]);
    const [x, o] = match.seats;
    expect(await x.send("match:leave", { matchId: match.matchId })).toMatchObject({ ok: true });
    await match.ends;
    const seen = record(match.seats);
    expect(await x.send("lobby:chat", { text: "gg" })).toMatchObject({ ok: true });
    expect(await x.send("dm:send", { to: o.playerId, text: "again?" })).toMatchObject({ ok: true });
    const challenge = await x.send("challenge:send", { to: o.playerId });
    await eventually(() => seen.some(([event]) => event === "challenge"), 3000, "the challenge");
    expect(await o.send("challenge:answer", { challengeId: challenge.ok ? challenge.challengeId : "", accept: false })).toMatchObject({ ok: true });
    expect(await o.send("match:rematch", { matchId: match.matchId })).toMatchObject({ ok: true, waiting: true });
    expect(await x.send("match:rematch", { matchId: match.matchId })).toMatchObject({ ok: true, waiting: false });
    const wanted = ["lobby:chat", "dm", "challenge", "challenge:declined", "rematch:offered", "match:found"];
    await eventually(() => wanted.every((name) => seen.some(([event]) => event === name)), 3000, "every lobby event");
    expect(violations("tictactoe", seen)).toEqual([]);
    const { ok, ...page } = await x.send("lobby:list", { limit: 1 });
    expect(ok).toBe(true);
    expect(lobbyPageSchema.safeParse(page).success).toBe(true);
    expect(page).toMatchObject({ total: expect.any(Number), next: expect.any(String) });
  });

  it("pong: start and states match the view schema; a state missing its score does not", async () => {
    const match = await startMatch("pong", [node.url, node.url]);
    const seen = record(match.seats);
    await eventually(() => seen.filter(([event]) => event === "state").length > 10, 5000, "ten states");
    expect(violations("pong", [["match:start", match.starts[0]], ...seen.slice(0, 20)])).toEqual([]);
    const [, first] = seen.find(([event]) => event === "state")!;
    const broken = structuredClone(first) as { state: { score?: unknown } };
    delete broken.state.score;
    expect(violations("pong", [["state", broken]])).toHaveLength(1);
    expect(violations("pong", [["state", { tick: 1 }]]).length).toBeGreaterThan(0);
  });
});
