import { readFileSync } from "node:fs";

/** The bytes and count of one kind of heap object, per connection. */
export interface Growth {
  bytes: number;
  count: number;
}

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

/**
 * What a V8 heap snapshot (`--heapsnapshot-signal`) holds, by kind: each object's type and
 * constructor, and what first holds it (the holder's constructor and the edge's name), e.g.
 * `array (object properties) <= closure .properties`. Strings are counted by type, not by text.
 */
export function heapByHolder(file: string): Map<string, Growth> {
  const heap = JSON.parse(readFileSync(file, "utf8")) as Snapshot;
  const { node_fields: nodeFields, node_types: nodeTypes, edge_fields: edgeFields, edge_types: edgeTypes } = heap.snapshot.meta;
  const N = nodeFields.length;
  const E = edgeFields.length;
  const [type, name, size, edgeCount] = ["type", "name", "self_size", "edge_count"].map((f) => nodeFields.indexOf(f)) as [number, number, number, number];
  const [edgeType, edgeName, edgeTo] = ["type", "name_or_index", "to_node"].map((f) => edgeFields.indexOf(f)) as [number, number, number];
  const { nodes, edges, strings } = heap;
  const label = (i: number) => {
    const t = nodeTypes[0][nodes[i + type]!]!;
    return t.includes("string") ? t : `${t} ${strings[nodes[i + name]!]}`;
  };
  // The first strong edge to each node names its holder.
  const holder = new Map<number, string>();
  for (let i = 0, e = 0; i < nodes.length; i += N) {
    for (let k = 0; k < nodes[i + edgeCount]!; k++, e += E) {
      const kind = edgeTypes[0][edges[e + edgeType]!]!;
      const to = edges[e + edgeTo]!;
      if (kind === "weak" || holder.has(to)) continue;
      const via = kind === "element" || kind === "hidden" ? `[${kind}]` : strings[edges[e + edgeName]!];
      holder.set(to, `${label(i)} .${via}`);
    }
  }
  const kinds = new Map<string, Growth>();
  for (let i = 0; i < nodes.length; i += N) {
    const key = `${label(i)} <= ${holder.get(i) ?? "(root)"}`;
    const kind = kinds.get(key) ?? { bytes: 0, count: 0 };
    kind.bytes += nodes[i + size]!;
    kind.count++;
    kinds.set(key, kind);
  }
  return kinds;
}

/** Per connection: what `after` holds beyond `before`, kind by kind, over `connections`. */
export function perConnection(before: Map<string, Growth>, after: Map<string, Growth>, connections: number): Map<string, Growth> {
  const grown = difference(after, before);
  for (const g of grown.values()) {
    g.bytes /= connections;
    g.count /= connections;
  }
  return grown;
}

/** `ours` less `theirs`, kind by kind. */
export function difference(ours: Map<string, Growth>, theirs: Map<string, Growth>): Map<string, Growth> {
  const diff = new Map<string, Growth>();
  for (const key of new Set([...ours.keys(), ...theirs.keys()])) {
    const a = ours.get(key) ?? { bytes: 0, count: 0 };
    const b = theirs.get(key) ?? { bytes: 0, count: 0 };
    diff.set(key, { bytes: a.bytes - b.bytes, count: a.count - b.count });
  }
  return diff;
}
