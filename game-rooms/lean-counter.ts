import type { Registry } from "prom-client";

/** One label set of a `LeanCounter`: `inc` is one addition. */
export interface LeanIncrement {
  inc(by?: number): void;
}

interface Series {
  labels: Record<string, string>;
  value: number;
}

/**
 * A Prometheus counter for the hot path (`LeanHistogram`'s sibling). prom-client's hashes and
 * checks the labels on every `inc`, even through `labels()` children; here a label set is looked
 * up once, and counting is an addition. It renders through the registry like any prom-client counter.
 */
export class LeanCounter {
  readonly type = "counter";
  readonly aggregator = "sum";
  private readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: string[],
    registry: Registry,
  ) {
    registry.registerMetric(this as never);
  }

  /** The counter of one label set (values in `labelNames` order). */
  labels(...values: string[]): LeanIncrement {
    const key = values.join("\u0000");
    let series = this.series.get(key);
    if (!series) {
      series = { labels: Object.fromEntries(this.labelNames.map((n, i) => [n, values[i] ?? ""])), value: 0 };
      this.series.set(key, series);
    }
    const s = series;
    return {
      inc(by = 1) {
        s.value += by;
      },
    };
  }

  /** What the registry renders: one value per label set. */
  get(): { name: string; help: string; type: string; aggregator: string; values: { labels: Record<string, string>; value: number }[] } {
    const values = [...this.series.values()].map((s) => ({ labels: s.labels, value: s.value }));
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.series.clear();
  }
}
