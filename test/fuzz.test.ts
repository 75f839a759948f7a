import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClientEventName, MatchFound } from "../protocol/index.ts";
import { closeAllClients, connectGuest, request, waitFor, type TestClient } from "./support/clients.ts";
import { MAX_IN_FLIGHT } from "../server/edge/event-handlers.ts";
import { NEW_PLAYER } from "./support/ratings.ts";
import { ENGINES, startServer, type InProcessServer } from "./support/servers.ts";

const PAYLOADS = 100_000;
const SOCKETS = 10;
/** Requests each socket keeps waiting for: as many as the server lets wait (more are refused RATE_LIMITED, tested elsewhere). */
const WINDOW = MAX_IN_FLIGHT;

/** A seeded PRNG, so that a failing run can be replayed (the seed is in the failure message). */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const deep = (depth: number): unknown => (depth === 0 ? 0 : [deep(depth - 1)]);
/** Values nothing should accept where a specific type is expected (each payload stays under the 8 KB message limit: oversized messages have their own test). */
const HOSTILE: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  -0,
  2 ** 53 + 1,
  Number.MAX_VALUE,
  "",
  " ",
  "x".repeat(3000),
  "\u0000",
  "\u202e\u0007",
  "💥".repeat(300),
  "../../etc/passwd",
  "<script>alert(1)</script>",
  "1",
  "true",
  [],
  {},
  [1, 2, 3],
  deep(60),
  JSON.parse('{"__proto__":{"admin":true}}'),
  JSON.parse('{"constructor":{"prototype":{"polluted":1}}}'),
  { toString: "x" },
  Array.from({ length: 200 }, (_, i) => i),
];
/** Strings shaped like ids: accepted by the schema, unknown to the game. */
const ID_LIKE = ["__proto__", "constructor", "toString", "hasOwnProperty", "m_0000", "valueOf"];

type Gen = (r: () => number) => unknown;
const pick = <T>(r: () => number, items: T[]): T => items[Math.floor(r() * items.length)]!;
const nonObject: Gen = (r) => pick(r, [null, 7, "stats", true, [], [{}], deep(30)]);
const hostileString: Gen = (r) => pick(r, HOSTILE.filter((v) => typeof v !== "string").concat(["", "x".repeat(65), "a b", "ü", "\u0000"]));
const matchIdish: Gen = (r) => (r() < 0.5 ? pick(r, ID_LIKE) : hostileString(r));
const withJunk = (r: () => number, payload: Record<string, unknown>) =>
  r() < 0.3 ? { ...JSON.parse('{"__proto__":{"x":1},"constructor":"c"}'), ...payload, extra: pick(r, HOSTILE) } : payload;

/** Text no chat, direct message or lobby line accepts. */
const badText: Gen = (r) => pick(r, [null, 5, "", "   ", "x".repeat(201), [], {}, "\u0000\u0007"]);

/**
 * For each answered event (every client event but `state:ack`, which is never answered): a
 * generator of payloads that must never change anything. Typed by the protocol's event names, so a
 * new event that the fuzzer does not cover fails the typecheck.
 */
const EVENTS: Record<Exclude<ClientEventName, "state:ack">, Gen> = {
  "queue:join": (r) => (r() < 0.3 ? nonObject(r) : withJunk(r, { mode: hostileString(r) })),
  "queue:leave": (r) => (r() < 0.5 ? nonObject(r) : withJunk(r, {})),
  "time:sync": (r) => (r() < 0.5 ? nonObject(r) : withJunk(r, { clientTime: pick(r, HOSTILE) })),
  "match:ready": (r) => (r() < 0.2 ? nonObject(r) : withJunk(r, r() < 0.1 ? {} : { matchId: matchIdish(r) })),
  "game:input": (r) => {
    if (r() < 0.2) return nonObject(r);
    const field = pick(r, ["matchId", "seq", "input", "none"]);
    return withJunk(r, {
      matchId: field === "matchId" ? hostileString(r) : pick(r, ID_LIKE),
      seq: field === "seq" ? pick(r, [-1, 1.5, "1", null, 2 ** 60, [], {}]) : Math.floor(r() * 1000),
      input: field === "input" ? pick(r, HOSTILE) : pick(r, [{ dir: 1 }, { cell: 4 }, { dir: 7 }, { cell: 1.5 }]),
    });
  },
  "match:leave": (r) => (r() < 0.2 ? nonObject(r) : withJunk(r, { matchId: matchIdish(r) })),
  "chat:send": (r) => (r() < 0.2 ? nonObject(r) : withJunk(r, { matchId: matchIdish(r), text: r() < 0.5 ? pick(r, HOSTILE) : "hello" })),
  stats: (r) => (r() < 0.5 ? nonObject(r) : withJunk(r, {})),
  "lobby:list": (r) =>
    r() < 0.3 ? nonObject(r) : withJunk(r, { cursor: r() < 0.5 ? matchIdish(r) : undefined, limit: pick(r, [0, -1, 101, 1.5, "5", null, 10]) }),
  "lobby:chat": (r) => (r() < 0.3 ? nonObject(r) : withJunk(r, { text: badText(r) })),
  "dm:send": (r) =>
    r() < 0.3
      ? nonObject(r)
      : withJunk(r, { to: r() < 0.5 ? pick(r, ["g_nobody", "member-1", ...ID_LIKE]) : hostileString(r), text: r() < 0.5 ? "hi" : badText(r) }),
  "challenge:send": (r) =>
    r() < 0.3
      ? nonObject(r)
      : withJunk(r, { to: r() < 0.5 ? pick(r, ["g_nobody", ...ID_LIKE]) : hostileString(r), mode: pick(r, [undefined, "ranked", 5, "solo"]) }),
  "challenge:answer": (r) => (r() < 0.3 ? nonObject(r) : withJunk(r, { challengeId: matchIdish(r), accept: pick(r, [true, false, "yes", 1, null]) })),
  "private:create": (r) => (r() < 0.3 ? nonObject(r) : withJunk(r, { mode: hostileString(r) })),
  "private:join": (r) => (r() < 0.3 ? nonObject(r) : withJunk(r, { code: r() < 0.5 ? pick(r, ["ZZZZZZ", "ABCDEF", "0OIL1!", "abc"]) : hostileString(r) })),
  "match:rematch": (r) => (r() < 0.3 ? nonObject(r) : withJunk(r, { matchId: matchIdish(r) })),
  "match:spectate": (r) => (r() < 0.3 ? nonObject(r) : withJunk(r, { matchId: matchIdish(r) })),
  "match:unspectate": (r) => (r() < 0.3 ? nonObject(r) : withJunk(r, { matchId: matchIdish(r) })),
};
const NAMES = Object.keys(EVENTS) as (keyof typeof EVENTS)[];
const GAME_ERRORS = ["BAD_REQUEST", "UNKNOWN_MATCH", "NOT_IN_MATCH"];
/** The coded errors each event may answer a hostile payload with (each is the right one for some payload). */
const ALLOWED: Partial<Record<keyof typeof EVENTS, string[]>> = {
  // the chat budget (5 lines at once, then 1 a second) covers lobby lines, messages and challenges
  "dm:send": ["BAD_REQUEST", "UNKNOWN_PLAYER", "RATE_LIMITED"],
  "challenge:send": ["BAD_REQUEST", "UNKNOWN_PLAYER", "RATE_LIMITED"],
  "lobby:chat": ["BAD_REQUEST", "RATE_LIMITED"],
  "challenge:answer": ["BAD_REQUEST", "UNKNOWN_CODE"],
  // failed guesses are limited per player and address
  "private:join": ["BAD_REQUEST", "UNKNOWN_CODE", "RATE_LIMITED"],
};
/** Events a well-formed payload may answer `ok` without changing anything. */
const HARMLESS_OK = new Set(["queue:leave", "stats", "lobby:list", "match:unspectate", "time:sync"]);

describe.each(ENGINES)("fuzzing every client event (%s)", (engine) => {
  let node: InProcessServer;
  beforeAll(async () => {
    node = await startServer({ ENGINE: engine, RATE_LIMIT_PER_SECOND: "100000", RATE_LIMIT_BURST: "100000" });
  });
  afterAll(async () => {
    closeAllClients();
    await node.stop();
  });

  it(`answers ${PAYLOADS.toLocaleString("en")} hostile payloads with coded errors and changes nothing`, async () => {
    const seed = Date.now() % 1_000_000;
    const sockets: TestClient[] = [];
    for (let i = 0; i < SOCKETS; i++) sockets.push((await connectGuest(node.url, i % 2 ? "tictactoe" : "pong")).socket);
    const bad: string[] = [];
    let answered = 0;
    await Promise.all(
      sockets.map(async (socket, s) => {
        const r = prng(seed + s);
        const per = PAYLOADS / SOCKETS;
        let sent = 0;
        const worker = async () => {
          while (sent < per) {
            if (!socket.connected) {
              if (bad.length < 5) bad.push(`socket ${s} was disconnected`);
              return;
            }
            sent++;
            const event = pick(r, NAMES);
            const payload = EVENTS[event]!(r);
            const answer = await request(socket, event, payload).catch((e: Error) => ({
              ok: false as const,
              error: { code: "NO_ANSWER", message: e.message },
            }));
            answered++;
            const fine = answer.ok ? HARMLESS_OK.has(event) : (ALLOWED[event] ?? GAME_ERRORS).includes(answer.error.code);
            if (!fine && bad.length < 5) bad.push(`${event} ${JSON.stringify(payload).slice(0, 200)} -> ${JSON.stringify(answer).slice(0, 200)}`);
          }
        };
        await Promise.all(Array.from({ length: WINDOW }, worker));
      }),
    );
    expect(bad, `seed ${seed}`).toEqual([]);
    expect(answered).toBe(PAYLOADS);
    for (const socket of sockets) expect(socket.connected).toBe(true);
    expect(await request(sockets[0]!, "stats", {})).toMatchObject({ ok: true, queued: 0, matches: 0 });
    expect(await request(sockets[1]!, "stats", {})).toMatchObject({ ok: true, queued: 0, matches: 0 });

    // Ratings did not move: two fuzzers pair with the default rating.
    const found = Promise.all([waitFor<MatchFound>(sockets[0]!, "match:found"), waitFor<MatchFound>(sockets[2]!, "match:found")]);
    await request(sockets[0]!, "queue:join", {});
    await request(sockets[2]!, "queue:join", {});
    const [f] = await found;
    expect(f.players.map((p) => p.rating)).toEqual([NEW_PLAYER, NEW_PLAYER]);
  }, 120_000);

  it("a mode the game does not declare (__proto__, constructor, made up) is refused, and nothing is queued", async () => {
    const { socket } = await connectGuest(node.url, "pong");
    for (const mode of ["__proto__", "constructor", "solo", "RANKED"])
      expect(await request(socket, "queue:join", { mode })).toMatchObject({
        ok: false,
        error: { code: "BAD_REQUEST", message: "mode: one of ranked, casual" },
      });
    expect(await request(socket, "stats", {})).toMatchObject({ ok: true, queued: 0 });
    expect(await request(socket, "queue:join", { mode: "casual" })).toMatchObject({ ok: true });
    expect(await request(socket, "queue:leave", {})).toEqual({ ok: true, cancelled: true });
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });
});
