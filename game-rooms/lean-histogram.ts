import type { Registry } from "prom-client";
import { LeanMetric } from "./lean-metric.ts";

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
 * A Prometheus histogram for the hot path (`LeanMetric`): observing costs only the bucket search
 * and three additions.
 */
export class LeanHistogram extends LeanMetric<Series> {
  readonly type = "histogram";

  constructor(
    name: string,
    help: string,
    labelNames: string[],
    private readonly upperBounds: number[],
    registry: Registry,
  ) {
    super(name, help, labelNames, registry);
  }

  /** The observer of one label set (values in `labelNames` order). */
  labels(...values: string[]): LeanObserver {
    const s = this.seriesOf(values);
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

  protected create(labels: Record<string, string>): Series {
    return { labels, buckets: new Float64Array(this.upperBounds.length + 1), sum: 0, count: 0 };
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
}
