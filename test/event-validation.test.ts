import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { closeAllClients, connectGuest, request, waitForDisconnect } from "./support/clients.ts";
import { ENGINES, startServer, type InProcessServer } from "./support/servers.ts";

describe.each(ENGINES)("event validation and rate limit on %s", (engine) => {
  let node: InProcessServer;
  beforeAll(async () => {
    node = await startServer({ ENGINE: engine, RATE_LIMIT_PER_SECOND: "5", RATE_LIMIT_BURST: "10", RATE_LIMIT_DISCONNECT_AFTER: "30" });
  });
  afterAll(() => node.stop());
  afterEach(() => closeAllClients());

  const bad: [string, unknown[]][] = [
    ["queue:join", [{ mode: 5 }]],
    ["queue:join", ["a string"]],
    ["queue:join", [null]],
    ["queue:join", []],
    ["match:ready", [{}]],
    ["match:ready", [{ matchId: "../../etc" }]],
    ["game:input", [{ matchId: "m1", seq: -1, input: {} }]],
    ["game:input", [{ matchId: "m1", seq: 1.5, input: {} }]],
    ["chat:send", [{ matchId: "m1", text: "   " }]],
    ["chat:send", [{ matchId: "m1", text: "x".repeat(201) }]],
    ["stats", [[]]],
    ["lobby:list", [{ limit: 0 }]],
    ["lobby:list", [{ cursor: "not a player id" }]],
    ["lobby:chat", [{ text: "   " }]],
    ["dm:send", [{ to: "a b", text: "hi" }]],
    ["dm:send", [{ to: "g_someone" }]],
    ["challenge:send", [{ to: 5 }]],
    ["challenge:send", [{ to: "g_someone", mode: "solo" }]],
    ["challenge:answer", [{ challengeId: "c_1", accept: "yes" }]],
    ["private:create", [{ mode: 5 }]],
    ["private:join", [{ code: "0OIL1!" }]],
    ["match:rematch", [{}]],
    ["match:spectate", [{ matchId: "../x" }]],
    ["match:unspectate", [null]],
  ];
  it.each(bad)("%s with a bad payload answers BAD_REQUEST", async (event, args) => {
    const { socket } = await connectGuest(node.url, "pong");
    const answer = await request(socket, event, ...args);
    expect(answer.ok).toBe(false);
    if (!answer.ok) expect(answer.error.code).toBe("BAD_REQUEST");
    expect(socket.connected).toBe(true);
  });

  it("answers an unknown event with BAD_REQUEST", async () => {
    const { socket } = await connectGuest(node.url, "pong");
    const answer = await request(socket, "admin:shutdown", {});
    expect(answer).toMatchObject({ ok: false, error: { code: "BAD_REQUEST" } });
  });

  it("limits a flooding client with RATE_LIMITED, then disconnects it; others are unaffected", async () => {
    const { socket: flooder } = await connectGuest(node.url, "pong");
    const { socket: calm } = await connectGuest(node.url, "pong");
    const answers = await Promise.all(Array.from({ length: 20 }, () => request(flooder, "stats", []).catch(() => undefined)));
    const limited = answers.filter((a) => a && !a.ok && a.error.code === "RATE_LIMITED").length;
    expect(limited).toBeGreaterThanOrEqual(8);
    const gone = waitForDisconnect(flooder);
    for (let i = 0; i < 40; i++) (flooder as unknown as { emit(...args: unknown[]): void }).emit("stats", [], () => undefined);
    await expect(gone).resolves.toBe("io server disconnect");
    const answer = await request(calm, "stats", []);
    expect(answer).toMatchObject({ ok: false, error: { code: "BAD_REQUEST" } });
  });
});
