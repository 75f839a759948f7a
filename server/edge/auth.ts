import { randomUUID } from "node:crypto";
import { SignJWT, jwtVerify, errors as joseErrors } from "jose";
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

/** Clock skew tolerated between the service that minted a token and this node, seconds. */
export const CLOCK_TOLERANCE_SECONDS = 30;

/** Signs and verifies HS256 player tokens (`sub` = playerId, `name`, `exp`; `iss` and `aud` when configured). */
export class TokenService {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
    private readonly claims: TokenClaims = {},
  ) {
    this.key = new TextEncoder().encode(secret);
  }

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
   * Verifies a token; only HS256 with this server's key, with `sub` and `exp` (and the configured
   * `iss` and `aud`), is accepted, with 30 s of clock tolerance on `exp` and `nbf`.
   */
  async verify(token: unknown): Promise<Identity> {
    if (token === undefined || token === null || token === "") throw new TokenError("missing");
    if (typeof token !== "string" || token.length > 4096 || token.split(".").length !== 3) throw new TokenError("malformed");
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.key, {
        algorithms: ["HS256"],
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
