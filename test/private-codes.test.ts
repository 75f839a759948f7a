import { io } from "socket.io-client";
import { afterEach, describe, expect, it } from "vitest";
import type { MatchFound } from "../protocol/index.ts";
import { closeAllClients, connectGuest, guest, request, waitFor, type TestClient } from "./support/clients.ts";
import { ENGINES, spawnNode, testSecret, type ChildNode } from "./support/servers.ts";

const nodes: ChildNode[] = [];
const sockets: TestClient[] = [];
afterEach(async () => {
  closeAllClients();
  for (const socket of sockets.splice(0)) socket.close();
  await Promise.all(nodes.splice(0).map((n) => n.kill()));
});

/** A fresh guest connected through the trusted proxy on 127.0.0.1, which forwards for `client`. */
async function behindProxy(url: string, client: string): Promise<TestClient> {
  const { token } = await guest(url);
  const socket: TestClient = io(`${url}/tictactoe`, {
    auth: { token },
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
    extraHeaders: { "x-forwarded-for": client },
  });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", reject);
  });
  return socket;
}

const codeOf = (answer: { ok: boolean; code?: string }) => {
  if (!answer.ok || !answer.code) throw new Error(`no code: ${JSON.stringify(answer)}`);
  return answer.code;
};

describe.each(ENGINES)("private codes (%s)", (engine) => {
  it("a player has one live code: each private:create replaces the last", async () => {
    nodes.push(await spawnNode({ ENGINE: engine, ARENA_SECRET: testSecret() }));
    const { url } = nodes[0]!;
    const ann = await connectGuest(url, "tictactoe", "Ann");
    const codes: string[] = [];
    for (let i = 0; i < 60; i++) codes.push(codeOf(await request<{ code: string }>(ann.socket, "private:create", {})));
    expect(new Set(codes).size).toBe(60);
    const bob = await connectGuest(url, "tictactoe", "Bob");
    for (const old of [codes[0]!, codes[30]!, codes[58]!])
      expect(await request(bob.socket, "private:join", { code: old })).toMatchObject({ ok: false, error: { code: "UNKNOWN_CODE" } });
    const found = waitFor<MatchFound>(ann.socket, "match:found");
    expect(await request(bob.socket, "private:join", { code: codes[59] })).toMatchObject({ ok: true });
    expect((await found).players.map((p) => p.playerId)).toEqual([ann.player.playerId, bob.player.playerId]);
  });

  it("failed guesses are limited per player and per client address, whatever the number of guest identities", async () => {
    nodes.push(await spawnNode({ ENGINE: engine, ARENA_SECRET: testSecret(), TRUST_PROXY: "127.0.0.1" }));
    const { url } = nodes[0]!;
    const guess = (socket: TestClient) => request<Record<string, unknown>>(socket, "private:join", { code: "ZZZZZZ" });
    const answers = async (socket: TestClient, n: number) => {
      const codes: string[] = [];
      for (let i = 0; i < n; i++) {
        const answer = await guess(socket);
        codes.push(answer.ok ? "ok" : answer.error.code);
      }
      return codes;
    };
    // one player: 5 failed guesses, then refused
    const first = await behindProxy(url, "198.51.100.1");
    expect(await answers(first, 7)).toEqual([...Array(5).fill("UNKNOWN_CODE"), "RATE_LIMITED", "RATE_LIMITED"]);
    // new identities from the same address: 20 failures in all, then every one refused at once
    for (let i = 0; i < 3; i++) expect(await answers(await behindProxy(url, "198.51.100.1"), 5)).toEqual(Array(5).fill("UNKNOWN_CODE"));
    expect(await answers(await behindProxy(url, "198.51.100.1"), 2)).toEqual(["RATE_LIMITED", "RATE_LIMITED"]);
    // another address behind the same proxy has a budget of its own
    expect(await answers(await behindProxy(url, "198.51.100.2"), 1)).toEqual(["UNKNOWN_CODE"]);
    // a real code still works from an address out of guesses: a join that finds its code costs nothing
    const owner = await behindProxy(url, "198.51.100.2");
    const code = codeOf(await request<{ code: string }>(owner, "private:create", {}));
    const friend = await behindProxy(url, "198.51.100.3");
    expect(await request(friend, "private:join", { code })).toMatchObject({ ok: true });
  });
});
