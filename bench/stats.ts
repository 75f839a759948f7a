/** Percentile of an unsorted sample (nearest rank). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const round = (value: number, digits = 2) => Number(value.toFixed(digits));

/** Approximate percentile from a Prometheus histogram's cumulative buckets (linear inside a bucket). */
export function histogramPercentile(buckets: { le: number; count: number }[], p: number): number {
  const total = buckets.at(-1)?.count ?? 0;
  if (total === 0) return NaN;
  const rank = (p / 100) * total;
  let previous = { le: 0, count: 0 };
  for (const bucket of buckets) {
    if (bucket.count >= rank) {
      if (!Number.isFinite(bucket.le)) return previous.le;
      const inside = bucket.count - previous.count;
      return previous.le + ((rank - previous.count) / Math.max(1, inside)) * (bucket.le - previous.le);
    }
    previous = bucket;
  }
  return previous.le;
}

/** Reads the buckets of one histogram (summed over label sets) from Prometheus text. */
export function readHistogram(text: string, name: string): { le: number; count: number }[] {
  const sums = new Map<number, number>();
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}_bucket`)) continue;
    const le = /le="([^"]+)"/.exec(line)?.[1];
    if (!le) continue;
    const bound = le === "+Inf" ? Infinity : Number(le);
    sums.set(bound, (sums.get(bound) ?? 0) + Number(line.split(" ").pop()));
  }
  return [...sums.entries()].sort((a, b) => a[0] - b[0]).map(([le, count]) => ({ le, count }));
}
