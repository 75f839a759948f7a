import { randomUUID } from "node:crypto";
import { SignJWT, createRemoteJWKSet, jwtVerify, errors as joseErrors, type JWTVerifyGetKey } from "jose";
import { GUEST_PREFIX, PLAYER_ID, playerNameSchema, type GuestToken } from "../../protocol/index.ts";

/** A verified identity from a token. */
export interface Identity {
  playerId: string;
  name: string;
}

/** Why a token was refused; the client only ever sees `unauthorized`. */
export type TokenFault = "missing" | "malformed" | "bad_signature" | "expired" | "bad_claims";

export class TokenError extends Error {
  constructor(readonly fault: TokenFault) {
    super(`token refused: ${fault}`);
  }
}

/** Optional claims every token must carry when set (`TOKEN_ISSUER`, `TOKEN_AUDIENCE`). */
export interface TokenClaims {
  issuer?: string;
  audience?: string;
}

/** Keys tokens may be signed with besides the node's secret (`TOKEN_SECRETS`, `TOKEN_JWKS_URL`). */
export interface TokenKeyOptions {
  /** `kid` → HS256 secret, for rotation: a token naming a `kid` is checked with that secret only. */
  secrets?: ReadonlyMap<string, string>;
  /** An identity provider's JWKS: RS256 and ES256 tokens are checked against its keys. */
  jwksUrl?: string;
  jwksCooldownSeconds?: number;
}

/** Clock skew tolerated between the service that minted a token and this node, seconds. */
export const CLOCK_TOLERANCE_SECONDS = 30;

/**
 * Signs HS256 player tokens (`sub` = playerId, `name`, `exp`; `iss` and `aud` when configured) and
 * verifies them, and tokens from a game's own services: HS256 with a `kid` from `TOKEN_SECRETS`, or
 * RS256 / ES256 against an identity provider's JWKS (cached; an unknown `kid` fetches it again, at
 * most once per cooldown).
 */
export class TokenService {
  private readonly key: Uint8Array;
  private readonly secrets = new Map<string, Uint8Array>();
  private readonly jwks: JWTVerifyGetKey | undefined;
  private readonly algorithms: string[];

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
    private readonly claims: TokenClaims = {},
    keys: TokenKeyOptions = {},
  ) {
    const encode = (text: string) => new TextEncoder().encode(text);
    this.key = encode(secret);
    for (const [kid, value] of keys.secrets ?? []) this.secrets.set(kid, encode(value));
    this.jwks = keys.jwksUrl
      ? createRemoteJWKSet(new URL(keys.jwksUrl), { cooldownDuration: (keys.jwksCooldownSeconds ?? 30) * 1000, timeoutDuration: 5000 })
      : undefined;
    this.algorithms = this.jwks ? ["HS256", "RS256", "ES256"] : ["HS256"];
  }

  /** The key a token's header asks for: the node's secret, a `TOKEN_SECRETS` secret by `kid`, or the JWKS's. */
  private readonly keyFor: JWTVerifyGetKey = async (header, token) => {
    if (header.alg === "HS256") {
      if (header.kid === undefined) return this.key;
      const secret = this.secrets.get(header.kid);
      if (!secret) throw new joseErrors.JWSSignatureVerificationFailed(`no secret with kid ${header.kid}`);
      return secret;
    }
    if (!this.jwks) throw new joseErrors.JOSEAlgNotAllowed(`${header.alg} tokens need TOKEN_JWKS_URL`);
    try {
      return await this.jwks(header, token);
    } catch (error) {
      // A kid the provider does not list (after fetching it again) is a bad signature, not a malformed token.
      if (error instanceof joseErrors.JWKSNoMatchingKey) throw new joseErrors.JWSSignatureVerificationFailed("no key with that kid");
      throw error;
    }
  };

  /** Mints a token for a player. */
  async sign(identity: Identity, ttlSeconds = this.ttlSeconds): Promise<string> {
    const jwt = new SignJWT({ name: identity.name })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(identity.playerId)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds);
    if (this.claims.issuer !== undefined) jwt.setIssuer(this.claims.issuer);
    if (this.claims.audience !== undefined) jwt.setAudience(this.claims.audience);
    return jwt.sign(this.key);
  }

  /** Mints a guest identity and its token. */
  async guest(name?: string): Promise<GuestToken> {
    const playerId = `${GUEST_PREFIX}${randomUUID().replaceAll("-", "")}`;
    const chosen = name ?? `Guest-${playerId.slice(2, 6)}`;
    return { playerId, name: chosen, token: await this.sign({ playerId, name: chosen }) };
  }

  /**
   * Verifies a token: HS256 with this server's key (or a `TOKEN_SECRETS` key by `kid`), or RS256 /
   * ES256 with a key of the JWKS, with `sub` and `exp` (and the configured `iss` and `aud`), and 30 s
   * of clock tolerance on `exp` and `nbf`. A JWKS that cannot be reached refuses the token.
   */
  async verify(token: unknown): Promise<Identity> {
    if (token === undefined || token === null || token === "") throw new TokenError("missing");
    if (typeof token !== "string" || token.length > 4096 || token.split(".").length !== 3) throw new TokenError("malformed");
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.keyFor, {
        algorithms: this.algorithms,
        requiredClaims: ["sub", "exp"],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        ...(this.claims.issuer === undefined ? {} : { issuer: this.claims.issuer }),
        ...(this.claims.audience === undefined ? {} : { audience: this.claims.audience }),
      }));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw new TokenError("expired");
      if (error instanceof joseErrors.JWSSignatureVerificationFailed) throw new TokenError("bad_signature");
      if (error instanceof joseErrors.JWTClaimValidationFailed) throw new TokenError("bad_claims");
      throw new TokenError("malformed");
    }
    const sub = payload.sub;
    if (typeof sub !== "string" || !PLAYER_ID.test(sub)) throw new TokenError("bad_claims");
    const parsedName = playerNameSchema.safeParse(payload.name);
    return { playerId: sub, name: parsedName.success ? parsedName.data : sub.slice(0, 24) };
  }
}
