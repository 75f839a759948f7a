import { afterEach, describe, expect, it } from "vitest";
import type { Challenge, LobbyMessage, LobbyPage, MatchCancelled, MatchEnd, MatchFound, RematchOffered } from "../protocol/index.ts";
import { PRIVATE_CODE_ALPHABET } from "../protocol/index.ts";
import { closeAllClients, connect, connectGuest, eventually, request, waitFor, type TestClient } from "./support/clients.ts";
import { NEW_PLAYER } from "./support/ratings.ts";
import { redisEnv, SETUPS, spawnNode, testPrefix, testSecret, type ChildNode } from "./support/servers.ts";

const nodes: ChildNode[] = [];
afterEach(async () => {
  closeAllClients();
  await Promise.all(nodes.map((n) => n.kill()));
  nodes.length = 0;
});

interface Someone {
  socket: TestClient;
  playerId: string;
  name: string;
  token: string;
}

/** Collects every event of these names a socket receives. */
function inbox<T>(socket: TestClient, event: string): T[] {
  const got: T[] = [];
  socket.on(event as "dm", (payload: unknown) => got.push(payload as T));
  return got;
}

describe.each(SETUPS)("the lobby across two nodes (%s, %s)", (engine, redis) => {
  async function twoNodes(extra: Record<string, string> = {}): Promise<[ChildNode, ChildNode]> {
    const env = { ENGINE: engine, ...redisEnv(redis), REDIS_PREFIX: testPrefix(), ARENA_SECRET: testSecret(), MATCHMAKER_INTERVAL_MS: "30", ...extra };
    nodes.push(...(await Promise.all([spawnNode(env), spawnNode(env)])));
    return nodes as [ChildNode, ChildNode];
  }
  const join = async (url: string, name: string, game = "tictactoe"): Promise<Someone> => {
    const { socket, player } = await connectGuest(url, game, name);
    return { socket, playerId: player.playerId, name: player.name, token: player.token };
  };

  it("lists who is online on every node, page by page, with their status; a player who leaves is gone", async () => {
    const [a, b] = await twoNodes();
    const people = await Promise.all(["Ann", "Bob", "Cid", "Dee", "Eve"].map((name, i) => join(i % 2 ? b.url : a.url, name)));
    // another game's player is not in this lobby
    await join(a.url, "Pat", "pong");
    expect(await request(people[2]!.socket, "queue:join", {})).toMatchObject({ ok: true });
    const seen: LobbyPage["players"] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await request<LobbyPage>(people[0]!.socket, "lobby:list", cursor ? { cursor, limit: 2 } : { limit: 2 });
      if (!page.ok) throw new Error(JSON.stringify(page));
      expect(page.total).toBe(5);
      expect(page.players.length).toBeLessThanOrEqual(2);
      seen.push(...page.players);
      cursor = page.next;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen.map((p) => p.playerId)).toEqual(people.map((p) => p.playerId).sort());
    const byName = Object.fromEntries(seen.map((p) => [p.name, p.status]));
    expect(byName).toEqual({ Ann: "idle", Bob: "idle", Cid: "queued", Dee: "idle", Eve: "idle" });
    people[4]!.socket.close();
    await eventually(
      async () => {
        const page = await request<LobbyPage>(people[1]!.socket, "lobby:list", {});
        return page.ok && page.total === 4 && !page.players.some((p) => p.name === "Eve");
      },
      5000,
      "Eve gone from the lobby",
    );
    expect(await request(people[0]!.socket, "lobby:list", { limit: 0 })).toMatchObject({ ok: false, error: { code: "BAD_REQUEST" } });
    expect(await request(people[0]!.socket, "lobby:list", { cursor: "<script>" })).toMatchObject({ ok: false, error: { code: "BAD_REQUEST" } });
  });

  it("the presence of a dead node's players disappears with the node", async () => {
    const [a, b] = await twoNodes({ TICKET_TTL_MS: "1500" });
    const ann = await join(a.url, "Ann");
    await Promise.all([join(b.url, "Bob"), join(b.url, "Cid")]);
    const total = async () => {
      const page = await request<LobbyPage>(ann.socket, "lobby:list", {});
      return page.ok ? page.total : -1;
    };
    await eventually(async () => (await total()) === 3, 3000, "all three online");
    await b.kill("SIGKILL");
    await eventually(async () => (await total()) === 1, 8000, "only Ann left online");
    const page = await request<LobbyPage>(ann.socket, "lobby:list", {});
    expect(page.ok && page.players.map((p) => p.name)).toEqual(["Ann"]);
  });

  it("lobby chat reaches everyone in the game on both nodes and no one else; a direct message only its addressee; both cleaned and rate-limited", async () => {
    const [a, b] = await twoNodes();
    const [ann, bob, cid] = await Promise.all([join(a.url, "Ann"), join(b.url, "Bob"), join(b.url, "Cid")]);
    const other = await join(a.url, "Pat", "pong");
    const lobbyLines = [ann, bob, cid, other].map((p) => inbox<LobbyMessage>(p.socket, "lobby:chat"));
    const dms = [ann, bob, cid].map((p) => inbox<LobbyMessage>(p.socket, "dm"));
    expect(await request(ann.socket, "lobby:chat", { text: "  hello\u0007 all " })).toMatchObject({ ok: true });
    await eventually(() => lobbyLines.slice(0, 3).every((l) => l.length === 1), 3000, "everyone heard");
    expect(lobbyLines[0]![0]).toMatchObject({ from: ann.playerId, name: "Ann", text: "hello all" });
    expect(await request(ann.socket, "dm:send", { to: bob.playerId, text: "psst" })).toMatchObject({ ok: true });
    await eventually(() => dms[1]!.length === 1, 3000, "Bob got the message");
    expect(dms[1]![0]).toMatchObject({ from: ann.playerId, name: "Ann", text: "psst" });
    expect(await request(ann.socket, "dm:send", { to: "nobody-here", text: "hi" })).toMatchObject({ ok: false, error: { code: "UNKNOWN_PLAYER" } });
    expect(await request(ann.socket, "dm:send", { to: other.playerId, text: "hi" })).toMatchObject({ ok: false, error: { code: "UNKNOWN_PLAYER" } });
    expect(await request(ann.socket, "dm:send", { to: bob.playerId, text: "   " })).toMatchObject({ ok: false, error: { code: "BAD_REQUEST" } });
    // five sends at once (refused messages count), then one a second: lobby chat and messages share it
    const answers = [];
    for (let i = 0; i < 2; i++) answers.push(await request(ann.socket, "lobby:chat", { text: `line ${i}` }));
    expect(answers.map((x) => x.ok)).toEqual([true, false]);
    expect(answers[1]).toMatchObject({ error: { code: "RATE_LIMITED" } });
    expect(await request(ann.socket, "dm:send", { to: bob.playerId, text: "again" })).toMatchObject({ ok: false, error: { code: "RATE_LIMITED" } });
    expect(await request(ann.socket, "challenge:send", { to: bob.playerId })).toMatchObject({ ok: false, error: { code: "RATE_LIMITED" } });
    // another player's budget is their own
    expect(await request(cid.socket, "lobby:chat", { text: "me too" })).toMatchObject({ ok: true });
    // the budget is the player's: reconnecting does not refill it
    ann.socket.close();
    const back = await connect(a.url, "tictactoe", ann.token);
    expect(await request(back, "lobby:chat", { text: "back" })).toMatchObject({ ok: false, error: { code: "RATE_LIMITED" } });
    // a positive control after the refusals: Bob's message to Cid arrives; nothing refused did
    expect(await request(bob.socket, "dm:send", { to: cid.playerId, text: "control" })).toMatchObject({ ok: true });
    await eventually(() => dms[2]!.length === 1 && lobbyLines[2]!.length === 3, 15_000, "the control message and Cid's line heard");
    expect(dms[2]!.map((m) => m.text)).toEqual(["control"]);
    // Ann's "line 0" crosses from node a while Cid's own "me too" is sent on node b: lines of different
    // senders on different nodes have no order between them (a loaded CI machine delivered them swapped).
    expect(lobbyLines[2]!.map((m) => m.text).sort()).toEqual(["hello all", "line 0", "me too"]);
    expect(lobbyLines[3]).toEqual([]);
    expect(dms[0]).toEqual([]);
  });

  it("a challenge across nodes: accepted, it is a ready check that starts a match; declined and expired ones tell the challenger; busy players answer the lifecycle error", async () => {
    const [a, b] = await twoNodes({ CHALLENGE_TIMEOUT_MS: "800" });
    const [ann, bob, cid] = await Promise.all([join(a.url, "Ann"), join(b.url, "Bob"), join(b.url, "Cid")]);
    // Bob's session is in the store (a connection is open before its session is: a CI run challenged too early).
    await eventually(
      async () =>
        ((await request<{ players: { playerId: string }[] }>(ann.socket, "lobby:list", {})) as { players?: { playerId: string }[] }).players?.some(
          (p) => p.playerId === bob.playerId,
        ) ?? false,
      15_000,
      "Bob online in the lobby",
    );
    const challenged = waitFor<Challenge>(bob.socket, "challenge");
    const sent = await request<{ challengeId: string }>(ann.socket, "challenge:send", { to: bob.playerId });
    if (!sent.ok) throw new Error(JSON.stringify(sent));
    const challenge = await challenged;
    expect(challenge).toMatchObject({ challengeId: sent.challengeId, from: ann.playerId, name: "Ann", mode: "ranked", rating: NEW_PLAYER });
    expect(challenge.expiresAt).toBeGreaterThan(Date.now());
    // only the addressee answers
    expect(await request(cid.socket, "challenge:answer", { challengeId: sent.challengeId, accept: true })).toMatchObject({
      ok: false,
      error: { code: "UNKNOWN_CODE" },
    });
    const found = [ann, bob].map((p) => waitFor<MatchFound>(p.socket, "match:found"));
    expect(await request(bob.socket, "challenge:answer", { challengeId: sent.challengeId, accept: true })).toMatchObject({ ok: true });
    const [fa, fb] = (await Promise.all(found)) as [MatchFound, MatchFound];
    expect(fa.matchId).toBe(fb.matchId);
    expect([fa.seat, fb.seat]).toEqual([0, 1]);
    expect(fa.players.map((p) => p.name)).toEqual(["Ann", "Bob"]);
    // the challenge is used up
    expect(await request(bob.socket, "challenge:answer", { challengeId: sent.challengeId, accept: true })).toMatchObject({
      ok: false,
      error: { code: "UNKNOWN_CODE" },
    });
    // either player busy: the lifecycle error
    expect(await request(cid.socket, "challenge:send", { to: ann.playerId })).toMatchObject({ ok: false, error: { code: "ALREADY_IN_MATCH" } });
    expect(await request(ann.socket, "challenge:send", { to: cid.playerId })).toMatchObject({ ok: false, error: { code: "ALREADY_IN_MATCH" } });
    const starts = [ann, bob].map((p) => waitFor(p.socket, "match:start"));
    await request(ann.socket, "match:ready", { matchId: fa.matchId });
    await request(bob.socket, "match:ready", { matchId: fa.matchId });
    await Promise.all(starts);
    // a real match: Ann moves, Bob sees it; then Bob leaves it and Ann wins
    // The state that shows the move is the one of the tick that applied it (a state of an earlier
    // tick, such as the first, may still arrive after the input is sent).
    const bobStates: { tick: number; state: { board: unknown[] } }[] = [];
    (bob.socket as unknown as { on(event: string, listener: (payload: (typeof bobStates)[number]) => void): void }).on("state", (payload) =>
      bobStates.push(payload),
    );
    const answer = (await request(ann.socket, "game:input", { matchId: fa.matchId, seq: 1, input: { cell: 4 } })) as { ok: boolean; tick: number };
    expect(answer).toMatchObject({ ok: true });
    await eventually(() => bobStates.some((s) => s.tick >= answer.tick), 10_000, "Bob sees the move's tick");
    const moved = bobStates.find((s) => s.tick >= answer.tick)!;
    expect(moved.state.board[4]).toBe(0);
    const ended = waitFor<MatchEnd>(ann.socket, "match:end");
    await request(bob.socket, "match:leave", { matchId: fa.matchId });
    expect(await ended).toMatchObject({ matchId: fa.matchId, reason: "forfeit", winner: ann.playerId });

    const dee = await join(a.url, "Dee");
    expect(await request(dee.socket, "challenge:send", { to: "nobody-here" })).toMatchObject({ ok: false, error: { code: "UNKNOWN_PLAYER" } });
    expect(await request(dee.socket, "challenge:send", { to: dee.playerId })).toMatchObject({ ok: false, error: { code: "BAD_REQUEST" } });
    expect(await request(dee.socket, "queue:join", {})).toMatchObject({ ok: true });
    expect(await request(cid.socket, "challenge:send", { to: dee.playerId })).toMatchObject({ ok: false, error: { code: "ALREADY_QUEUED" } });
    await request(dee.socket, "queue:leave", {});
    // declined
    const offered = waitFor<Challenge>(dee.socket, "challenge");
    const declined = waitFor<{ challengeId: string }>(cid.socket, "challenge:declined");
    const second = await request<{ challengeId: string }>(cid.socket, "challenge:send", { to: dee.playerId });
    await offered;
    expect(await request(dee.socket, "challenge:answer", { challengeId: second.ok ? second.challengeId : "", accept: false })).toMatchObject({ ok: true });
    expect(await declined).toEqual({ challengeId: second.ok ? second.challengeId : "" });
    // expired unanswered
    const expired = waitFor<{ challengeId: string }>(cid.socket, "challenge:expired", 5000);
    const third = await request<{ challengeId: string }>(cid.socket, "challenge:send", { to: dee.playerId });
    expect(await expired).toEqual({ challengeId: third.ok ? third.challengeId : "" });
    expect(await request(dee.socket, "challenge:answer", { challengeId: third.ok ? third.challengeId : "", accept: true })).toMatchObject({
      ok: false,
      error: { code: "UNKNOWN_CODE" },
    });
  });

  it("a private code brings one friend into a ready check; it works once, any case, and not after it expired; a missed check requeues no one", async () => {
    const [a, b] = await twoNodes({ READY_TIMEOUT_MS: "800", PRIVATE_CODE_TTL_MS: "1500" });
    const [ann, bob, cid] = await Promise.all([join(a.url, "Ann"), join(b.url, "Bob"), join(b.url, "Cid")]);
    const created = await request<{ code: string }>(ann.socket, "private:create", {});
    if (!created.ok) throw new Error(JSON.stringify(created));
    expect(created.code).toMatch(new RegExp(`^[${PRIVATE_CODE_ALPHABET}]{6}$`));
    expect(await request(ann.socket, "private:join", { code: created.code })).toMatchObject({ ok: false, error: { code: "BAD_REQUEST" } });
    expect(await request(bob.socket, "private:join", { code: "ZZZZZZ" })).toMatchObject({ ok: false, error: { code: "UNKNOWN_CODE" } });
    expect(await request(bob.socket, "private:join", { code: "0OIL1!" })).toMatchObject({ ok: false, error: { code: "BAD_REQUEST" } });
    const found = [ann, bob].map((p) => waitFor<MatchFound>(p.socket, "match:found"));
    expect(await request(bob.socket, "private:join", { code: created.code.toLowerCase() })).toMatchObject({ ok: true });
    const [fa, fb] = (await Promise.all(found)) as [MatchFound, MatchFound];
    expect(fa.matchId).toBe(fb.matchId);
    expect(fa.players.map((p) => p.playerId)).toEqual([ann.playerId, bob.playerId]);
    expect(await request(cid.socket, "private:join", { code: created.code })).toMatchObject({ ok: false, error: { code: "UNKNOWN_CODE" } });
    // Bob readies, Ann does not: the check is cancelled and, having no ticket, nobody goes to a queue
    const cancelled = waitFor<MatchCancelled>(bob.socket, "match:cancelled", 5000);
    await request(bob.socket, "match:ready", { matchId: fa.matchId });
    expect(await cancelled).toMatchObject({ matchId: fa.matchId, reason: "ready_timeout", requeued: false });
    const page = await request<LobbyPage>(cid.socket, "lobby:list", {});
    expect(page.ok && page.players.every((p) => p.status === "idle")).toBe(true);
    const late = await request<{ code: string }>(cid.socket, "private:create", {});
    await new Promise((resolve) => setTimeout(resolve, 1700));
    expect(await request(bob.socket, "private:join", { code: late.ok ? late.code : "" })).toMatchObject({ ok: false, error: { code: "UNKNOWN_CODE" } });
  });

  it("a rematch: within the window both ask, the opponent is told of the first ask, and a new match starts with seats swapped; asked too late, there is none", async () => {
    const [a, b] = await twoNodes({ REMATCH_WINDOW_MS: "1500" });
    const [ann, bob, cid] = await Promise.all([join(a.url, "Ann"), join(b.url, "Bob"), join(b.url, "Cid")]);
    const found = [ann, bob].map((p) => waitFor<MatchFound>(p.socket, "match:found"));
    const told = waitFor<Challenge>(bob.socket, "challenge");
    const challenge = await request<{ challengeId: string }>(ann.socket, "challenge:send", { to: bob.playerId });
    if (!challenge.ok) throw new Error(`challenge refused: ${JSON.stringify(challenge)}`);
    expect(await told).toMatchObject({ challengeId: challenge.challengeId, from: ann.playerId });
    expect(await request(bob.socket, "challenge:answer", { challengeId: challenge.challengeId, accept: true })).toMatchObject({ ok: true });
    const [first] = (await Promise.all(found)) as [MatchFound, MatchFound];
    const ended = [ann, bob].map((p) => waitFor<MatchEnd>(p.socket, "match:end"));
    const started = [ann, bob].map((p) => waitFor(p.socket, "match:start"));
    await request(ann.socket, "match:ready", { matchId: first.matchId });
    await request(bob.socket, "match:ready", { matchId: first.matchId });
    await Promise.all(started);
    expect(await request(ann.socket, "match:leave", { matchId: first.matchId })).toMatchObject({ ok: true });
    await Promise.all(ended);
    expect(await request(cid.socket, "match:rematch", { matchId: first.matchId })).toMatchObject({ ok: false, error: { code: "NOT_IN_MATCH" } });
    expect(await request(cid.socket, "match:rematch", { matchId: "m_unknown" })).toMatchObject({ ok: false, error: { code: "UNKNOWN_MATCH" } });
    const offered = waitFor<RematchOffered>(ann.socket, "rematch:offered");
    expect(await request(bob.socket, "match:rematch", { matchId: first.matchId })).toEqual({ ok: true, waiting: true });
    expect(await offered).toEqual({ matchId: first.matchId, from: bob.playerId });
    const again = [ann, bob].map((p) => waitFor<MatchFound>(p.socket, "match:found"));
    expect(await request(ann.socket, "match:rematch", { matchId: first.matchId })).toEqual({ ok: true, waiting: false });
    const [ra, rb] = (await Promise.all(again)) as [MatchFound, MatchFound];
    expect(ra.matchId).not.toBe(first.matchId);
    expect([ra.seat, rb.seat]).toEqual([1, 0]);
    expect(ra.players.map((p) => p.name)).toEqual(["Bob", "Ann"]);
    // used up: a third ask finds nothing
    expect(await request(bob.socket, "match:rematch", { matchId: first.matchId })).toMatchObject({ ok: false });
    // the rematch is played out; asked for after the window, its own rematch is refused
    const second = [ann, bob].map((p) => waitFor<MatchEnd>(p.socket, "match:end"));
    const restarted = [ann, bob].map((p) => waitFor(p.socket, "match:start"));
    await request(ann.socket, "match:ready", { matchId: ra.matchId });
    await request(bob.socket, "match:ready", { matchId: ra.matchId });
    await Promise.all(restarted);
    await request(bob.socket, "match:leave", { matchId: ra.matchId });
    await Promise.all(second);
    await new Promise((resolve) => setTimeout(resolve, 1700));
    expect(await request(ann.socket, "match:rematch", { matchId: ra.matchId })).toMatchObject({ ok: false, error: { code: "UNKNOWN_MATCH" } });
  });
});
