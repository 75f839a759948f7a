import { KeyedBuckets } from "./rate-limit.ts";

/** An address as both engines report it: IPv4-mapped IPv6 (`::ffff:1.2.3.4`) becomes plain IPv4. */
export function plainAddress(raw: string): string {
  const trimmed = raw.trim();
  return trimmed.toLowerCase().startsWith("::ffff:") && trimmed.includes(".") ? trimmed.slice(7) : trimmed;
}

/**
 * The client's address: the peer's, unless the peer is a trusted proxy (`TRUST_PROXY`); then the
 * right-most address of `X-Forwarded-For` that is not itself a trusted proxy (a client can write
 * anything to the left of what its proxies appended).
 */
export function clientAddress(peer: string, forwardedFor: string | undefined, trusted: ReadonlySet<string>): string {
  let address = plainAddress(peer);
  if (!trusted.has(address) || !forwardedFor) return address;
  const hops = forwardedFor.split(",").map(plainAddress);
  for (let i = hops.length - 1; i >= 0; i--) {
    address = hops[i]!;
    if (address === "" || !trusted.has(address)) break;
  }
  return address || plainAddress(peer);
}

/** The address of a Socket.IO client, as `clientAddress` reads an HTTP request's. */
export function socketAddress(handshake: { address: string; headers: Record<string, string | string[] | undefined> }, trusted: ReadonlySet<string>): string {
  const header = handshake.headers["x-forwarded-for"];
  return clientAddress(handshake.address, Array.isArray(header) ? header.join(",") : header, trusted);
}

/**
 * How many guest tokens each address may mint: a bucket of `perMinute` that refills over a minute.
 * Guest tokens are free identities, and each one is a fresh budget of everything per player.
 */
export class GuestMints {
  private readonly buckets: KeyedBuckets;

  constructor(perMinute: number) {
    this.buckets = new KeyedBuckets({ perSecond: perMinute / 60, burst: perMinute });
  }

  /** Counts a mint from `address`; false when it is over its budget. */
  allow(address: string): boolean {
    return this.buckets.get(address).take() === "ok";
  }
}
