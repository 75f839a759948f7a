import { TokenBucket } from "./rate-limit.ts";

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

/** Addresses whose bucket was not touched for this long are forgotten. */
const IDLE_MS = 10 * 60_000;

/**
 * How many guest tokens each address may mint: a bucket of `perMinute` that refills over a minute.
 * Guest tokens are free identities, and each one is a fresh budget of everything per player.
 */
export class GuestMints {
  private readonly buckets = new Map<string, { bucket: TokenBucket; seen: number }>();
  private checks = 0;

  constructor(private readonly perMinute: number) {}

  /** Counts a mint from `address`; false when it is over its budget. */
  allow(address: string, now = Date.now()): boolean {
    if (++this.checks % 1024 === 0) for (const [key, entry] of this.buckets) if (entry.seen < now - IDLE_MS) this.buckets.delete(key);
    let entry = this.buckets.get(address);
    if (!entry) {
      entry = { bucket: new TokenBucket({ perSecond: this.perMinute / 60, burst: this.perMinute, disconnectAfter: Number.MAX_SAFE_INTEGER }), seen: now };
      this.buckets.set(address, entry);
    }
    entry.seen = now;
    return entry.bucket.take() === "ok";
  }
}
