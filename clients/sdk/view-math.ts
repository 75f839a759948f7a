/**
 * Numbers inside views, walked generically: the default interpolation, and the offsets that smooth a
 * prediction's corrections. Arrays and plain objects are walked; numbers are blended; anything else
 * (null, strings, booleans) is stepped.
 */

/** `a` and `b` blended at `t`: numbers linearly (t beyond 1 extrapolates), the rest `a` before 1 and `b` from 1. */
export function lerpView<V>(a: V, b: V, t: number): V {
  if (typeof a === "number" && typeof b === "number") return (a + (b - a) * t) as V;
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) return a.map((x, i) => lerpView(x, b[i], t)) as V;
  if (isRecord(a) && isRecord(b)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(b)) out[key] = key in a ? lerpView(a[key], b[key], t) : b[key];
    return out as V;
  }
  return t < 1 ? a : b;
}

/** `a - b` for each number both hold at the same place; 0 elsewhere (an offset that moves nothing). */
export function subtractViews(a: unknown, b: unknown): unknown {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (Array.isArray(a) && Array.isArray(b)) return b.map((x, i) => subtractViews(a[i], x));
  if (isRecord(a) && isRecord(b)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(b)) out[key] = subtractViews(a[key], b[key]);
    return out;
  }
  return 0;
}

/** `view + offset * k` for each number of the view that the offset holds. */
export function offsetView<V>(view: V, offset: unknown, k: number): V {
  if (typeof view === "number") return (typeof offset === "number" ? view + offset * k : view) as V;
  if (Array.isArray(view)) return (Array.isArray(offset) ? view.map((x, i) => offsetView(x, offset[i], k)) : view) as V;
  if (isRecord(view) && isRecord(offset)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(view)) out[key] = offsetView(view[key], offset[key], k);
    return out as V;
  }
  return view;
}

/** The sum of the absolute differences between the numbers of two views (0: the same numbers). */
export function viewDistance(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return Math.abs(a - b);
  if (Array.isArray(a) && Array.isArray(b)) return b.reduce((sum: number, x, i) => sum + viewDistance(a[i], x), 0);
  if (isRecord(a) && isRecord(b)) return Object.keys(b).reduce((sum, key) => sum + viewDistance(a[key], b[key]), 0);
  return 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
