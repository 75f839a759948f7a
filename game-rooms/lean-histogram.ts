import type { Registry } from "prom-client";

interface Series {
  labels: Record<string, string>;
  /** Count per bucket (not cumulative); the last one is +Inf. */
  buckets: Float64Array;
  sum: number;
  count: number;
}

/** One label set of a `LeanHistogram`: `observe` is a bucket search and three additions. */
export interface LeanObserver {
  observe(value: number): void;
}

/**
 * A Prometheus histogram for the hot path. prom-client's own checks and hashes the labels on every
 * observation, even through `labels()` children; here a label set is looked up once and observing
 * costs only the bucket search. It renders through the registry like any prom-client histogram.
 */
export class LeanHistogram {
  readonly type = "histogram";
  readonly aggregator = "sum";
  private readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: string[],
    private readonly upperBounds: number[],
    registry: Registry,
  ) {
    registry.registerMetric(this as never);
  }

  /** The observer of one label set (values in `labelNames` order). */
  labels(...values: string[]): LeanObserver {
    const key = values.join("\u0000");
    let series = this.series.get(key);
    if (!series) {
      series = {
        labels: Object.fromEntries(this.labelNames.map((n, i) => [n, values[i] ?? ""])),
        buckets: new Float64Array(this.upperBounds.length + 1),
        sum: 0,
        count: 0,
      };
      this.series.set(key, series);
    }
    const s = series;
    const bounds = this.upperBounds;
    return {
      observe(value: number) {
        let i = 0;
        while (i < bounds.length && value > bounds[i]!) i++;
        s.buckets[i]!++;
        s.sum += value;
        s.count++;
      },
    };
  }

  /** What the registry renders: cumulative buckets, sum and count per label set. */
  get(): {
    name: string;
    help: string;
    type: string;
    aggregator: string;
    values: { metricName: string; labels: Record<string, string | number>; value: number }[];
  } {
    const values: { metricName: string; labels: Record<string, string | number>; value: number }[] = [];
    for (const s of this.series.values()) {
      let cumulative = 0;
      this.upperBounds.forEach((le, i) => {
        cumulative += s.buckets[i]!;
        values.push({ metricName: `${this.name}_bucket`, labels: { le, ...s.labels }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { le: "+Inf", ...s.labels }, value: s.count });
      values.push({ metricName: `${this.name}_sum`, labels: s.labels, value: s.sum });
      values.push({ metricName: `${this.name}_count`, labels: s.labels, value: s.count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.series.clear();
  }
}
