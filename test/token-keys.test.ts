import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SignJWT, exportJWK, generateKeyPair, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAllClients, connect } from "./support/clients.ts";
import { startServer, testSecret, type InProcessServer } from "./support/servers.ts";

const ROTATED = "k2";
const ROTATED_SECRET = "a-second-secret-of-at-least-32-characters";
const SECRET = testSecret();

type Alg = "RS256" | "ES256";

/** Signs a player token with `alg`, naming `kid`. */
async function token(alg: Alg | "HS256", key: CryptoKey | Uint8Array, kid: string | undefined, sub = "idp-player-1"): Promise<string> {
  return new SignJWT({ name: "Idp Player" })
    .setProtectedHeader({ alg, typ: "JWT", ...(kid ? { kid } : {}) })
    .setSubject(sub)
    .setExpirationTime("10m")
    .sign(key);
}

/**
 * Tokens from a game's own identity provider: RS256 and ES256 against its JWKS (a local HTTP server
 * here, counting its fetches), and HS256 secrets chosen by `kid` for rotation.
 */
describe("tokens signed with an identity provider's keys, and rotated secrets", () => {
  let node: InProcessServer;
  let jwks: Server;
  const published: JWK[] = [];
  let fetches = 0;
  const pairs = new Map<string, { alg: Alg; privateKey: CryptoKey }>();

  async function publish(kid: string, alg: Alg): Promise<void> {
    const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
    published.push({ ...(await exportJWK(publicKey)), kid, alg, use: "sig" });
    pairs.set(kid, { alg, privateKey });
  }

  beforeAll(async () => {
    await publish("rsa-1", "RS256");
    await publish("ec-1", "ES256");
    jwks = createServer((_req, res) => {
      fetches++;
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: published }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, "127.0.0.1", resolve));
    node = await startServer({
      TOKEN_JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`,
      TOKEN_JWKS_COOLDOWN_S: "0",
      TOKEN_SECRETS: `${ROTATED}:${ROTATED_SECRET}`,
      ARENA_SECRET: SECRET,
    });
  });
  afterAll(async () => {
    closeAllClients();
    await node.stop();
    await new Promise<void>((resolve) => jwks.close(() => resolve()));
  });

  it.each(["rsa-1", "ec-1"])("accepts a token signed with the provider's key %s, fetching the JWKS once for both", async (kid) => {
    const { alg, privateKey } = pairs.get(kid)!;
    const socket = await connect(node.url, "pong", await token(alg, privateKey, kid));
    expect(socket.connected).toBe(true);
    socket.close();
    expect(fetches).toBe(1);
  });

  it("a key the provider added since is found by fetching the JWKS again for its unknown kid", async () => {
    await publish("rsa-2", "RS256");
    const before = fetches;
    const { privateKey } = pairs.get("rsa-2")!;
    const socket = await connect(node.url, "pong", await token("RS256", privateKey, "rsa-2"));
    expect(socket.connected).toBe(true);
    socket.close();
    expect(fetches).toBe(before + 1);
  });

  it("refuses a token signed with a key the provider does not list, or naming a listed kid with another key", async () => {
    const { privateKey: stranger } = await generateKeyPair("RS256");
    for (const kid of ["rsa-unknown", "rsa-1"]) {
      await expect(connect(node.url, "pong", await token("RS256", stranger, kid))).rejects.toMatchObject({ data: { code: "UNAUTHORIZED" } });
    }
  });

  it("HS256: the node's secret without a kid, a rotated secret by its kid; an unknown kid or the wrong secret is refused", async () => {
    const encode = (text: string) => new TextEncoder().encode(text);
    for (const [key, kid] of [
      [encode(SECRET), undefined],
      [encode(ROTATED_SECRET), ROTATED],
    ] as const) {
      const socket = await connect(node.url, "pong", await token("HS256", key, kid, "rotated-player"));
      expect(socket.connected).toBe(true);
      socket.close();
    }
    for (const [key, kid] of [
      [encode(ROTATED_SECRET), "k3"],
      [encode(SECRET), ROTATED],
    ] as const) {
      await expect(connect(node.url, "pong", await token("HS256", key, kid))).rejects.toMatchObject({ data: { code: "UNAUTHORIZED" } });
    }
  });
});

describe("without TOKEN_JWKS_URL", () => {
  it("refuses RS256 tokens", async () => {
    const node = await startServer({});
    try {
      const { privateKey } = await generateKeyPair("RS256");
      await expect(connect(node.url, "pong", await token("RS256", privateKey, "rsa-1"))).rejects.toMatchObject({ data: { code: "UNAUTHORIZED" } });
    } finally {
      await node.stop();
    }
  });
});
