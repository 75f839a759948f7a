import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PRODUCT = ["protocol", "server", "matchmaker", "game-rooms", "clients"];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    // A package's build output (clients/sdk/dist) is not source.
    if (statSync(path).isDirectory()) return entry === "dist" || entry === "node_modules" ? [] : sources(path);
    return path.endsWith(".ts") ? [relative(ROOT, path)] : [];
  });
}

/** Each product file's relative imports (type imports too), as paths from the root. */
function importGraph(): Map<string, string[]> {
  const files = PRODUCT.flatMap((dir) => sources(join(ROOT, dir)));
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(join(ROOT, file), "utf8");
    const targets = [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+"(\.[^"]+)"/gms)].map((m) => relative(ROOT, resolve(ROOT, dirname(file), m[1]!)));
    graph.set(file, targets);
  }
  return graph;
}

/** The import cycles, each as its files in order. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, "open");
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === "open") found.push(stack.slice(stack.indexOf(next)));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

/** The imports of files under `from` that reach outside what it may import. */
function crossings(graph: Map<string, string[]>, from: string, allowed: string[]): string[] {
  return [...graph].flatMap(([file, targets]) =>
    file.startsWith(from) ? targets.filter((t) => !allowed.some((a) => t.startsWith(a))).map((t) => `${file} -> ${t}`) : [],
  );
}

describe("layers point down (README, Architecture)", () => {
  const graph = importGraph();

  it("no product file imports itself back through others (type imports included)", () => {
    expect(cycles(graph)).toEqual([]);
  });

  it("protocol imports nothing of ours; a game's pure layer only protocol", () => {
    expect(crossings(graph, "protocol/", ["protocol/"])).toEqual([]);
    expect(crossings(graph, "game-rooms/games/", ["protocol/", "game-rooms/games/"])).toEqual([]);
  });

  it("matchmaker and game-rooms never import the server; clients only protocol and the games' pure layer", () => {
    expect(crossings(graph, "matchmaker/", ["protocol/", "matchmaker/"])).toEqual([]);
    expect(crossings(graph, "game-rooms/", ["protocol/", "game-rooms/", "matchmaker/"])).toEqual([]);
    expect(crossings(graph, "clients/", ["protocol/", "clients/", "game-rooms/games/"])).toEqual([]);
  });

  it("no product file is over 300 lines", () => {
    const long = PRODUCT.flatMap((dir) => sources(join(ROOT, dir)))
      .map((file) => [file, readFileSync(join(ROOT, file), "utf8").split("\n").length - 1] as const)
      .filter(([, lines]) => lines > 300);
    expect(long).toEqual([]);
  });

  it("server/ is grouped by job: each folder's index.ts says what it owns", () => {
    const folders = readdirSync(join(ROOT, "server"), { withFileTypes: true }).filter((e) => e.isDirectory());
    expect(folders.map((f) => f.name).sort()).toEqual(["config", "delivery", "edge", "http", "relay", "transport"]);
    for (const folder of folders) expect(readFileSync(join(ROOT, "server", folder.name, "index.ts"), "utf8")).toMatch(/^\/\*\*\n \* \S/);
    expect(readdirSync(join(ROOT, "server")).filter((f) => f.endsWith(".ts")).length).toBeLessThanOrEqual(12);
  });

  it("the server never imports clients/: the page is built by a build step and served as files", () => {
    expect(crossings(graph, "server/", ["protocol/", "server/", "matchmaker/", "game-rooms/"])).toEqual([]);
  });
});
