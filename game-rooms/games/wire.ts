/**
 * A game's compact encoding (PROTOCOL.md, Compact state): the numbers of its view, in order. A
 * field's name is its path in the view (dot-separated, array indexes as numbers); its value on the
 * wire is `round(value * scale)`, and a null (an empty cell) is -1.
 */
export interface WireField {
  name: string;
  scale: number;
}

/** The most fields a compact state carries, the two `inputSeq` fields included. */
export const MAX_WIRE_FIELDS = 30;

/** The fields every compact state ends with: the `state` event's `inputSeq`. */
export const INPUT_SEQ_FIELDS: readonly WireField[] = [
  { name: "inputSeq.0", scale: 1 },
  { name: "inputSeq.1", scale: 1 },
];

/** `count` fields named `<path>.0` .. `<path>.<count-1>`: a board of cells, a pair of paddles. */
export function wireList(path: string, count: number, scale = 1): WireField[] {
  return Array.from({ length: count }, (_, i) => ({ name: `${path}.${i}`, scale }));
}

/** The problems with a game's wire fields (none: the list is empty). */
export function wireProblems(fields: readonly WireField[]): string[] {
  const problems: string[] = [];
  if (fields.length + INPUT_SEQ_FIELDS.length > MAX_WIRE_FIELDS)
    problems.push(`at most ${MAX_WIRE_FIELDS - INPUT_SEQ_FIELDS.length} wire fields (inputSeq takes 2)`);
  const seen = new Set<string>();
  for (const field of fields) {
    if (!/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/.test(field.name)) problems.push(`wire field "${field.name}": a dot-separated path`);
    if (seen.has(field.name)) problems.push(`wire field "${field.name}" twice`);
    if (!(field.scale > 0) || !Number.isFinite(field.scale)) problems.push(`wire field "${field.name}": scale must be a positive number`);
    seen.add(field.name);
  }
  return problems;
}

/** The value at a field's path in a view: a number, null, or undefined when the path leads nowhere. */
export function wireValue(view: unknown, name: string): number | null | undefined {
  let at: unknown = view;
  for (const part of name.split(".")) {
    if (at === null || typeof at !== "object" || !Object.hasOwn(at, part)) return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  if (at === null) return null;
  return typeof at === "number" ? at : undefined;
}
