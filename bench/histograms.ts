import { decodeFromCompressedBase64, type Histogram } from "hdr-histogram-js";
import { microsecondHistogram } from "../game-rooms/index.ts";

/** Decodes cumulative HDR histograms (from one or more processes) and sums them. */
export function sumEncoded(encoded: string[]): Histogram {
  const total = microsecondHistogram();
  for (const text of encoded) total.add(decodeFromCompressedBase64(text, 32));
  return total;
}

/** What was recorded between two cumulative readings of the same processes. */
export function windowOf(before: string[], after: string[]): Histogram {
  const window = sumEncoded(after);
  window.subtract(sumEncoded(before));
  return window;
}

/** Percentiles in microseconds, whole numbers; null when nothing was recorded. */
export function percentiles<K extends string>(histogram: Histogram, wanted: Record<K, number>): Record<K, number | null> {
  const result = {} as Record<K, number | null>;
  for (const [key, p] of Object.entries(wanted) as [K, number][]) result[key] = histogram.totalCount === 0 ? null : histogram.getValueAtPercentile(p);
  return result;
}

/** The latency at each of a fixed set of percentiles, for a percentile-distribution chart. */
export const CURVE_PERCENTILES = [0, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 100];

export function percentileCurve(histogram: Histogram): number[] {
  return CURVE_PERCENTILES.map((p) => (histogram.totalCount === 0 ? 0 : histogram.getValueAtPercentile(p)));
}
