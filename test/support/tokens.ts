import { SignJWT } from "jose";

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** Signs an HS256 token with any secret and claims, for forging tests. */
export async function signToken(secret: string, claims: { sub?: string; name?: string; exp?: number; iss?: string; aud?: string }): Promise<string> {
  const jwt = new SignJWT(claims.name === undefined ? {} : { name: claims.name }).setProtectedHeader({ alg: "HS256", typ: "JWT" });
  if (claims.sub !== undefined) jwt.setSubject(claims.sub);
  if (claims.iss !== undefined) jwt.setIssuer(claims.iss);
  if (claims.aud !== undefined) jwt.setAudience(claims.aud);
  if (claims.exp !== undefined) jwt.setExpirationTime(claims.exp);
  return jwt.sign(new TextEncoder().encode(secret));
}

/** An unsigned token (`alg: none`) with the given claims. */
export function unsignedToken(claims: object): string {
  return `${b64({ alg: "none", typ: "JWT" })}.${b64(claims)}.`;
}

/** The token with its payload replaced but the original signature kept. */
export function editedToken(token: string, claims: object): string {
  const [header, , signature] = token.split(".");
  return `${header}.${b64(claims)}.${signature}`;
}
