/** A duration on a bench's command line: `90s`, `10m`, `60000ms` (a bare number is seconds). */
export function parseDuration(raw: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(raw.trim());
  if (!match) throw new Error(`${raw}: use 90s, 10m or 60000ms`);
  const value = Number(match[1]);
  return match[2] === "m" ? value * 60_000 : match[2] === "ms" ? value : value * 1000;
}
