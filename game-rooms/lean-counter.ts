import { LeanMetric } from "./lean-metric.ts";

/** One label set of a `LeanCounter`: `inc` is one addition. */
export interface LeanIncrement {
  inc(by?: number): void;
}

interface Series {
  labels: Record<string, string>;
  value: number;
}

/** A Prometheus counter for the hot path (`LeanHistogram`'s sibling): counting is an addition. */
export class LeanCounter extends LeanMetric<Series> {
  readonly type = "counter";

  /** The counter of one label set (values in `labelNames` order). */
  labels(...values: string[]): LeanIncrement {
    const s = this.seriesOf(values);
    return {
      inc(by = 1) {
        s.value += by;
      },
    };
  }

  protected create(labels: Record<string, string>): Series {
    return { labels, value: 0 };
  }

  /** What the registry renders: one value per label set. */
  get(): { name: string; help: string; type: string; aggregator: string; values: { labels: Record<string, string>; value: number }[] } {
    const values = [...this.series.values()].map((s) => ({ labels: s.labels, value: s.value }));
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}
