import { ConfigError, integer, type Env } from "./config-values.ts";

/**
 * The keys player tokens may be signed with besides `ARENA_SECRET`: HS256 secrets chosen by the
 * token's `kid` (`TOKEN_SECRETS`, for rotation), and an identity provider's public keys
 * (`TOKEN_JWKS_URL`: RS256 and ES256, fetched, cached, and fetched again for an unknown `kid`).
 */
export interface TokenKeys {
  /** `kid` → HS256 secret. */
  secrets: Map<string, string>;
  jwksUrl?: string;
  /** The least time between two fetches of the JWKS (an unknown `kid` fetches it again no sooner). */
  jwksCooldownSeconds: number;
}

/** Reads `TOKEN_SECRETS` (`kid:secret,kid:secret`), `TOKEN_JWKS_URL` and `TOKEN_JWKS_COOLDOWN_S`. */
export function tokenKeys(env: Env): TokenKeys {
  const secrets = new Map<string, string>();
  const raw = env.TOKEN_SECRETS?.trim() ?? "";
  for (const entry of raw === "" ? [] : raw.split(",")) {
    const at = entry.indexOf(":");
    const kid = entry.slice(0, at).trim();
    const secret = entry.slice(at + 1).trim();
    if (at < 1 || !/^[A-Za-z0-9_.-]{1,64}$/.test(kid) || secret.length < 32 || secrets.has(kid))
      throw new ConfigError(
        "TOKEN_SECRETS",
        "comma-separated kid:secret pairs, each kid once (1-64 letters, digits, _ . -), each secret at least 32 characters",
        "<hidden>",
      );
    secrets.set(kid, secret);
  }
  const jwksUrl = env.TOKEN_JWKS_URL?.trim() || undefined;
  if (jwksUrl !== undefined && !/^https?:\/\/\S+$/.test(jwksUrl)) throw new ConfigError("TOKEN_JWKS_URL", "an http:// or https:// URL of a JWKS", jwksUrl);
  return { secrets, ...(jwksUrl ? { jwksUrl } : {}), jwksCooldownSeconds: integer(env, "TOKEN_JWKS_COOLDOWN_S", 30, 0, 3600) };
}
