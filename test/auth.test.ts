import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { closeAllClients, connect, connectGuest, guest, request, waitForDisconnect } from "./support/clients.ts";
import { ENGINES, startServer, type InProcessServer } from "./support/servers.ts";
import { editedToken, signToken, unsignedToken } from "./support/tokens.ts";

const now = () => Math.floor(Date.now() / 1000);

describe.each(ENGINES)("handshake auth on %s", (engine) => {
  let node: InProcessServer;
  beforeAll(async () => {
    node = await startServer({ ENGINE: engine });
  });
  afterAll(() => node.stop());
  afterEach(() => closeAllClients());

  it("accepts a guest token on /pong and /tictactoe and keeps the identity on the socket", async () => {
    const player = await guest(node.url, "alice");
    for (const game of ["pong", "tictactoe"]) {
      const socket = await connect(node.url, game, player.token);
      expect(socket.connected).toBe(true);
      const sockets = await node.server.io.of(`/${game}`).fetchSockets();
      const mine = sockets.find((s) => s.id === socket.id);
      expect(mine?.data).toMatchObject({ playerId: player.playerId, name: "alice", game });
    }
  });

  it("accepts a token minted by another service with the shared secret", async () => {
    const token = await signToken(node.server.config.secret, { sub: "account-42", name: "Zoe", exp: now() + 60 });
    const socket = await connect(node.url, "pong", token);
    const [remote] = (await node.server.io.of("/pong").fetchSockets()).filter((s) => s.data.playerId === "account-42");
    expect(remote?.data.name).toBe("Zoe");
    socket.close();
  });

  const forged: [string, (secret: string) => Promise<unknown> | unknown][] = [
    ["missing", () => undefined],
    ["empty", () => ""],
    ["not a string", () => ({ sub: "x" })],
    ["malformed", () => "not.a.jwt"],
    ["wrong key", () => signToken("another-secret-another-secret-123", { sub: "p1", exp: now() + 60 })],
    ["alg none", () => unsignedToken({ sub: "p1", name: "x", exp: now() + 60 })],
    ["expired", (secret) => signToken(secret, { sub: "p1", exp: now() - 60 })],
    ["no exp", (secret) => signToken(secret, { sub: "p1" })],
    ["no sub", (secret) => signToken(secret, { exp: now() + 60 })],
    ["bad sub", (secret) => signToken(secret, { sub: "__proto__ with spaces", exp: now() + 60 })],
  ];
  it.each(forged)("refuses a %s token with unauthorized / UNAUTHORIZED", async (_kind, make) => {
    const token = await make(node.server.config.secret);
    const error = await connect(node.url, "pong", token).then(
      () => undefined,
      (e: Error & { data?: unknown }) => e,
    );
    expect(error?.message).toBe("unauthorized");
    expect(error?.data).toEqual({ code: "UNAUTHORIZED" });
  });

  it("refuses a genuine token whose sub was edited", async () => {
    const player = await guest(node.url);
    const token = editedToken(player.token, { sub: "someone-else", name: "x", exp: now() + 60 });
    await expect(connect(node.url, "pong", token)).rejects.toMatchObject({ message: "unauthorized", data: { code: "UNAUTHORIZED" } });
  });

  it("refuses an unknown namespace and the main namespace", async () => {
    const player = await guest(node.url);
    await expect(connect(node.url, "chess", player.token)).rejects.toMatchObject({ message: "Invalid namespace" });
    await expect(connect(node.url, "", player.token)).rejects.toMatchObject({ message: "unauthorized" });
  });

  it("replaces an older connection of the same player on the same node", async () => {
    const { socket: first, player } = await connectGuest(node.url, "pong");
    const replaced = new Promise((resolve) => first.once("session:replaced", resolve));
    const gone = new Promise((resolve) => first.once("disconnect", resolve));
    const second = await connect(node.url, "pong", player.token);
    await expect(replaced).resolves.toEqual({});
    await expect(gone).resolves.toBe("io server disconnect");
    expect(second.connected).toBe(true);
    const sockets = (await node.server.io.of("/pong").fetchSockets()).filter((s) => s.data.playerId === player.playerId);
    expect(sockets.map((s) => s.id)).toEqual([second.id]);
  });

  it("keeps the same player's connections in different games apart", async () => {
    const { socket: pong, player } = await connectGuest(node.url, "pong");
    let replaced = 0;
    pong.on("session:replaced", () => replaced++);
    const tictactoe = await connect(node.url, "tictactoe", player.token);
    expect(await request(tictactoe, "stats", {})).toMatchObject({ ok: true });
    expect(pong.connected).toBe(true);
    // the positive control: a second pong connection does replace it, and that is the only replacement it hears
    const gone = waitForDisconnect(pong);
    await connect(node.url, "pong", player.token);
    await gone;
    expect(replaced).toBe(1);
    expect(tictactoe.connected).toBe(true);
  });
});

describe("token issuer, audience and clock tolerance", () => {
  let node: InProcessServer;
  const refused = (token: string) =>
    connect(node.url, "pong", token).then(
      (socket) => {
        socket.close();
        return false;
      },
      (e: Error & { data?: unknown }) => e.message === "unauthorized",
    );
  beforeAll(async () => {
    node = await startServer({ TOKEN_ISSUER: "https://accounts.example", TOKEN_AUDIENCE: "arena" });
  });
  afterAll(() => node.stop());
  afterEach(() => closeAllClients());

  it("mints guest tokens with the configured iss and aud, and accepts them", async () => {
    const player = await guest(node.url);
    const claims = JSON.parse(Buffer.from(player.token.split(".")[1]!, "base64url").toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ iss: "https://accounts.example", aud: "arena", sub: player.playerId });
    expect(await refused(player.token)).toBe(false);
  });

  it("requires both claims when they are configured", async () => {
    const secret = node.server.config.secret;
    const base = { sub: "acct-1", exp: now() + 60 };
    expect(await refused(await signToken(secret, { ...base, iss: "https://accounts.example", aud: "arena" }))).toBe(false);
    expect(await refused(await signToken(secret, base))).toBe(true);
    expect(await refused(await signToken(secret, { ...base, iss: "https://accounts.example" }))).toBe(true);
    expect(await refused(await signToken(secret, { ...base, aud: "arena" }))).toBe(true);
    expect(await refused(await signToken(secret, { ...base, iss: "https://evil.example", aud: "arena" }))).toBe(true);
    expect(await refused(await signToken(secret, { ...base, iss: "https://accounts.example", aud: "another-game" }))).toBe(true);
  });

  it("tolerates 30 s of clock skew on exp, and no more", async () => {
    const secret = node.server.config.secret;
    const claims = { sub: "acct-2", iss: "https://accounts.example", aud: "arena" };
    expect(await refused(await signToken(secret, { ...claims, exp: now() - 20 }))).toBe(false);
    expect(await refused(await signToken(secret, { ...claims, exp: now() - 40 }))).toBe(true);
  });
});
