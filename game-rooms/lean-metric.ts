import type { Registry } from "prom-client";

/**
 * A Prometheus metric for the hot path, rendered through a prom-client registry: prom-client's
 * own hashes and checks the labels on every `inc`/`observe`, even through `labels()` children;
 * here a label set is looked up once (`seriesOf`), and what is counted per event is the caller's.
 */
export abstract class LeanMetric<S extends { labels: Record<string, string> }> {
  readonly aggregator = "sum";
  protected readonly series = new Map<string, S>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: string[],
    registry: Registry,
  ) {
    registry.registerMetric(this as never);
  }

  /** The series of one label set (values in `labelNames` order), made at its first use. */
  protected seriesOf(values: string[]): S {
    const key = values.join("\u0000");
    let series = this.series.get(key);
    if (!series) {
      series = this.create(Object.fromEntries(this.labelNames.map((n, i) => [n, values[i] ?? ""])));
      this.series.set(key, series);
    }
    return series;
  }

  protected abstract create(labels: Record<string, string>): S;

  reset(): void {
    this.series.clear();
  }
}
