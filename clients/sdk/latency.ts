import type { RegionInfo } from "../../protocol/index.ts";

/** A client's measured round trips (ms) to the deployment's regions, as `queue:join.latencies` carries them. */
export type RegionLatencies = Record<string, number>;

/**
 * Measures the round trip to each region of `GET /v1/regions` by timing its `GET /v1/ping` (the best
 * of `tries`); a region that does not answer within `timeoutMs` is left out. Resolves with `{}` when
 * the regions cannot be listed.
 */
export async function measureLatencies(url: string, options: { tries?: number; timeoutMs?: number } = {}): Promise<RegionLatencies> {
  const tries = options.tries ?? 3;
  const timeoutMs = options.timeoutMs ?? 2000;
  let regions: RegionInfo[];
  try {
    const response = await fetch(new URL("/v1/regions", url), { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return {};
    regions = (await response.json()) as RegionInfo[];
  } catch {
    return {};
  }
  const measured = await Promise.all(
    regions.slice(0, 16).map(async ({ region, url: regionUrl }) => {
      let best = Infinity;
      for (let i = 0; i < tries; i++) {
        const started = performance.now();
        try {
          const response = await fetch(new URL("/v1/ping", new URL(regionUrl, url)), { signal: AbortSignal.timeout(timeoutMs), cache: "no-store" });
          if (response.status === 204) best = Math.min(best, performance.now() - started);
        } catch {
          // unreachable this time
        }
      }
      return [region, Math.round(best)] as const;
    }),
  );
  return Object.fromEntries(measured.filter(([, ms]) => Number.isFinite(ms)));
}
